import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, '../dist/index.js');
const protos = path.join(here, 'fixtures/protos');

/** Runs `body` in a fresh Node (the built package imported as `grpc`, `proto` the fixtures folder); prints whether protobufjs was loaded. */
function loadedAfter(body: string): boolean {
  const script = `
    import { createRequire } from 'node:module';
    const { default: grpc, loadProtoFiles } = await import(${JSON.stringify(dist)});
    const proto = ${JSON.stringify(protos)};
    ${body}
    const cache = createRequire(${JSON.stringify(dist)}).cache;
    process.stdout.write(String(Object.keys(cache).some((file) => file.includes('protobufjs'))));
  `;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }) === 'true';
}

describe('protobufjs is loaded only for .proto files', () => {
  it('is not loaded by importing the plugin or creating it without protoFiles, and is once files are loaded', () => {
    expect(loadedAfter('grpc();')).toBe(false);
    expect(loadedAfter("loadProtoFiles(['shop.proto'], { cwd: proto });")).toBe(true);
  });
});
