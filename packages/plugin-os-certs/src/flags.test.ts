import { peerCoreRange } from '@capture/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { CapturePlugin, CaptureProxy } from '@capture/core';
import osCerts, { osCertsFlags, type OsCertsApi, type OsCertsOptions } from './index.js';

describe('os-certs flags', () => {
  it('declares none (it only adds commands), as an empty list', () => {
    expect(osCertsFlags).toEqual([]);
    expect(osCerts().flags).toBe(osCertsFlags);
  });

  it('declares the core it was built for', () => {
    // The range its package.json declares (`workspace:^` here, so nothing to check until packed).
    expect(osCerts().core).toBe(peerCoreRange(new URL('../src/index.ts', import.meta.url).href));
  });
});

describe('typed registry', () => {
  it('types proxy.plugin("os-certs") and the plugin’s options', () => {
    // Checked by tsc (the suite's typecheck); nothing to run.
    const lookUp = (proxy: CaptureProxy) => proxy.plugin('os-certs');
    expectTypeOf(lookUp).returns.toEqualTypeOf<CapturePlugin<OsCertsApi> | undefined>();
    expectTypeOf(osCerts().reconfigure!).parameter(0).toEqualTypeOf<Partial<OsCertsOptions>>();
  });
});
