import { peerCoreRange } from '@capture/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { CapturePlugin, CaptureProxy, CommandContext } from '@capture/core';
import https, { httpsFlags, type HttpsApi, type HttpsOptions } from './index.js';

describe('https flags', () => {
  it('declares --no-http2, -k/--insecure and --upstream-ca (the CLI makes --no-https)', () => {
    expect(httpsFlags.map((flag) => flag.flags)).toEqual(['--no-http2', '-k, --insecure', '--upstream-ca <file>']);
    expect(httpsFlags[0]!.toOptions(false)).toEqual({ http2: false });
    expect(httpsFlags[1]!.toOptions(true)).toEqual({ insecureUpstream: true });
    expect(https().flags).toBe(httpsFlags);
  });

  it('collects every --upstream-ca occurrence, in order', () => {
    const flag = httpsFlags[2]!;
    const value = flag.parse!('b.pem', flag.parse!('a.pem', undefined));
    expect(value).toEqual(['a.pem', 'b.pem']);
    expect(flag.toOptions(value)).toEqual({ upstreamCa: ['a.pem', 'b.pem'] });
  });

  it('validates http2 like the other options', () => {
    expect(() => https({ http2: 'yes' as never })).toThrow(/https: option "http2": expected 'auto' or false, got/);
    expect(https({ http2: false }).name).toBe('https');
  });

  it('reconfigure takes the plugin’s options and validates them', () => {
    const plugin = https().reconfigure!({ passthrough: ['*.apple.com'] });
    expect(plugin.name).toBe('https');
    expect(() => https().reconfigure!({ certificateCacheSize: 0 })).toThrow('https: option "certificateCacheSize": must be at least 1, got 0');
  });

  it('declares the core it was built for', () => {
    // The range its package.json declares (`workspace:^` here, so nothing to check until packed).
    expect(https().core).toBe(peerCoreRange(new URL('../src/index.ts', import.meta.url).href));
  });
});

describe('typed registry', () => {
  it('types proxy.plugin("https") and context.plugin("https") as the https API', () => {
    // Checked by tsc (the suite's typecheck); nothing to run.
    const fromProxy = (proxy: CaptureProxy) => proxy.plugin('https');
    const fromCommand = (context: CommandContext) => context.plugin?.('https')?.api;
    expectTypeOf(fromProxy).returns.toEqualTypeOf<CapturePlugin<HttpsApi> | undefined>();
    expectTypeOf(fromCommand).returns.toEqualTypeOf<HttpsApi | undefined>();
    expectTypeOf(https().reconfigure!).parameter(0).toEqualTypeOf<Partial<HttpsOptions>>();
  });
});
