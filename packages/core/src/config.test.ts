import { describe, expect, it } from 'vitest';
import { defineConfig, resolveConfig } from './config.js';

describe('resolveConfig', () => {
  it('fills the defaults', () => {
    const config = resolveConfig(defineConfig({}));
    expect(config.port).toBe(5555);
    expect(config.host).toBe('0.0.0.0');
    expect(config.maxBodySize).toBe(10 * 1024 * 1024);
    expect(config.allowPublicClients).toBe(false);
    expect(config.plugins).toEqual([]);
  });
  it('names the file and the key for wrong types and unknown options', () => {
    expect(() => resolveConfig({ port: 'x' } as never, 'capture.config.json')).toThrow(/capture\.config\.json: option "port": .*expected number/);
    expect(() => resolveConfig({ prot: 5555 } as never, 'capture.config.json')).toThrow('capture.config.json: unknown option "prot"');
    expect(() => resolveConfig({ port: 70000 }, 'f')).toThrow(/option "port"/);
    expect(() => resolveConfig({ auth: 'nocolon' }, 'f')).toThrow('f: option "auth": expected "user:pass"');
  });
});
