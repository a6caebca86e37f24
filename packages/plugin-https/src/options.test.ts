import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveHttpsOptions } from './options.js';

describe('resolveHttpsOptions', () => {
  it('fills defaults', () => {
    expect(resolveHttpsOptions({})).toEqual({ passthrough: [], upstreamCa: [], insecureUpstream: false, certificateCacheSize: 1000, http2: 'auto' });
  });

  it('compiles passthrough and resolves upstreamCa paths', () => {
    const resolved = resolveHttpsOptions({ passthrough: ['*.apple.com', /bank/], upstreamCa: 'corp.pem' });
    expect(resolved.passthrough).toHaveLength(2);
    expect(resolved.upstreamCa).toEqual([path.resolve('corp.pem')]);
  });

  it('names the option and the bad value', () => {
    expect(() => resolveHttpsOptions({ passthrough: ['ok.com', '/[/'] })).toThrow(/https: option "passthrough\[1\]": invalid regular expression "\/\[\/"/);
    expect(() => resolveHttpsOptions({ insecureUpstream: 'yes' })).toThrow('https: option "insecureUpstream": expected true or false, got "yes"');
    expect(() => resolveHttpsOptions({ certificateCacheSize: 0 })).toThrow(/option "certificateCacheSize": must be at least 1, got 0/);
    expect(() => resolveHttpsOptions({ upstreamCa: [''] })).toThrow(/option "upstreamCa\[0\]": expected the path of a PEM file/);
    expect(() => resolveHttpsOptions({ passthru: [] })).toThrow(/https: unknown option "passthru"/);
    expect(() => resolveHttpsOptions('x')).toThrow('https: expected an options object, got "x"');
  });
});
