import { afterEach, describe, expect, it } from 'vitest';
import { collectExchanges, requestThroughProxy, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../src/testing/index.js';

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;
afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  proxy = undefined;
  origin = undefined;
});

describe('an upstream TLS handshake that fails', () => {
  it('answers 502 with one sentence naming the origin, never OpenSSL’s own text', async () => {
    // A plain HTTP origin asked for TLS: OpenSSL fails with `error:0A00010B:SSL routines:…`.
    origin = await startOrigin();
    proxy = await startProxy();
    const exchanges = collectExchanges(proxy.proxy);
    const authority = new URL(origin.url).host;
    const response = await requestThroughProxy(proxy.port, `https://${authority}/tls-to-plain`);
    expect(response.status).toBe(502);
    const [exchange] = await exchanges.waitFor(1);
    expect(exchange!.error?.code).toBe('UPSTREAM_UNREACHABLE');
    expect(exchange!.error?.message).toMatch(new RegExp(`^TLS with ${authority.replace(/[.]/g, '\\.')} failed: the origin does not speak TLS there`));
    for (const text of [exchange!.error!.message, response.text]) expect(text).not.toMatch(/SSL routines|error:[0-9A-F]{8}/);
  });
});
