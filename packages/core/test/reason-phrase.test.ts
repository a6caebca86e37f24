import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { collectExchanges, sendRawRequest, startProxy, type TestProxy } from '../src/testing/index.js';

// Found by the differential fuzzer (test/reliability/fuzz.test.ts): an upstream reason phrase
// with bytes above 0x7E cut the client's connection without an answer.
let proxy: TestProxy | undefined;
let origin: net.Server | undefined;
afterEach(async () => {
  await proxy?.close();
  await new Promise((resolve) => (origin ? origin.close(resolve) : resolve(undefined)));
  proxy = origin = undefined;
});

async function rawOrigin(reason: Buffer): Promise<number> {
  origin = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => socket.end(Buffer.concat([Buffer.from('HTTP/1.1 200 '), reason, Buffer.from('\r\nContent-Length: 2\r\n\r\nok')])));
  });
  await new Promise<void>((resolve) => origin!.listen(0, '127.0.0.1', resolve));
  return (origin.address() as net.AddressInfo).port;
}

describe('reason phrases beyond ASCII', () => {
  it.each([
    ['UTF-8', Buffer.from('Café ✓', 'utf8'), Buffer.from('Café ✓', 'utf8')],
    ['obs-text that is not UTF-8', Buffer.from([0x6f, 0x62, 0x73, 0x20, 0xe9, 0xff]), Buffer.from('obs \ufffd\ufffd', 'utf8')],
  ])('forwards and records a %s reason phrase instead of dropping the connection', async (_name, sent, forwarded) => {
    const port = await rawOrigin(sent);
    proxy = await startProxy();
    const exchanges = collectExchanges(proxy.proxy);
    const answer = Buffer.from(await sendRawRequest(proxy.port, `GET http://127.0.0.1:${port}/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`), 'latin1');
    const statusLine = answer.subarray(0, answer.indexOf('\r\n'));
    expect(statusLine).toEqual(Buffer.concat([Buffer.from('HTTP/1.1 200 '), forwarded]));
    expect(answer.toString('latin1').endsWith('\r\n\r\nok')).toBe(true);
    const exchange = await exchanges.next();
    expect(Buffer.from(exchange.response!.statusMessage, 'latin1')).toEqual(forwarded);
  });
});
