import { afterEach, describe, expect, it } from 'vitest';
import { toStoredExchange } from '../src/record/index.js';
import { collectExchanges, requestThroughProxy, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../src/testing/index.js';

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;

afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  proxy = undefined;
  origin = undefined;
});

const credentials = `Basic ${Buffer.from('alice:s3cret').toString('base64')}`;
const lowerNames = (flat: string[]) => flat.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase());

describe('headers meant for the proxy', () => {
  for (const auth of [undefined, 'alice:s3cret']) {
    it(`are consumed, never forwarded, recorded or exported (auth ${auth ? 'configured' : 'not configured'})`, async () => {
      origin = await startOrigin();
      proxy = await startProxy(auth ? { auth } : {});
      const exchanges = collectExchanges(proxy.proxy);
      const response = await requestThroughProxy(proxy.port, `${origin.url}/creds`, {
        headers: ['Proxy-Authorization', credentials, 'Proxy-Connection', 'keep-alive', 'X-Kept', 'yes'],
      });
      expect(response.status).toBe(200);
      const seen = lowerNames((JSON.parse(response.text) as { rawHeaders: string[] }).rawHeaders);
      expect(seen).toContain('x-kept');
      expect(seen).not.toContain('proxy-authorization');
      expect(seen).not.toContain('proxy-connection');
      const exchange = await exchanges.next();
      const recorded = lowerNames(exchange.request.headers.flat());
      expect(recorded).toContain('x-kept');
      expect(recorded).not.toContain('proxy-authorization');
      expect(recorded).not.toContain('proxy-connection');
      expect(JSON.stringify(toStoredExchange(exchange))).not.toContain(credentials.slice(6));
    });
  }
});
