import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { CapturePlugin, CommandContext, PluginApiOf } from '@capture/core';
import https from '@capture/plugin-https';
import { caCertificate, type CaCertificate } from '../../src/ca.js';
import { createExec } from '../../src/exec.js';
import type { TargetEnv } from '../../src/targets/index.js';

/** A temporary folder, removed by the returned cleanup. */
export function tempDir(prefix = 'capture-os-certs-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The https plugin, asked for its CA as the os-certs commands ask it. */
export const httpsPlugin = https();

/** A real CA made by the https plugin in `dataDir`, as the installers see it. */
export async function realCa(dataDir: string): Promise<CaCertificate> {
  const { certPath, certPem } = await httpsPlugin.api!.ensureCa(dataDir);
  return caCertificate(certPath, certPem);
}

/** A target environment with fixed values; tests override what they exercise. */
export function testEnv(ca: CaCertificate, overrides: Partial<TargetEnv> = {}): TargetEnv {
  return {
    ca,
    root: '/',
    home: '/home/ada',
    platform: 'linux',
    elevated: false,
    family: 'debian',
    exec: createExec(),
    nssDb: undefined,
    firefoxProfiles: undefined,
    appData: undefined,
    out: undefined,
    downloadUrls: ['http://192.168.1.20:5555/ca', 'http://capture.proxy/ (with the proxy set)'],
    proxyAddress: '192.168.1.20:5555',
    ...overrides,
  };
}

/** A writable stream that keeps what is written. */
export function sink(): Writable & { text(): string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return Object.assign(stream, { text: () => text });
}

/** A command context like the CLI's, with the https plugin loaded and output kept. */
export function commandContext(dataDir: string): CommandContext & { out: ReturnType<typeof sink>; err: ReturnType<typeof sink> } {
  const out = sink();
  const err = sink();
  return {
    dataDir,
    stdout: out,
    stderr: err,
    isTTY: false,
    interactive: false,
    confirm: async () => false,
    plugin: <Name extends string>(name: Name) => (name === 'https' ? (httpsPlugin as CapturePlugin as CapturePlugin<PluginApiOf<Name>>) : undefined),
    out,
    err,
  };
}
