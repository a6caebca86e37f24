import { writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestProxy } from '@capture/core/testing';
import httpsPlugin from '@capture/plugin-https';
import { readCollection, requestsOf, startCollectionsProxy, type Entry } from './helpers/collection.js';
import { curl } from './helpers/curl.js';
import { runNewman } from './helpers/newman.js';
import { startRecordingOrigin, type RecordingOrigin } from './helpers/origin.js';
import { schemaErrors } from './helpers/schema.js';
import { cleanupAll, tempDir } from './helpers/temp.js';
import { selfSignedCertificate } from './helpers/tls.js';

let origin: RecordingOrigin | undefined;
let proxy: TestProxy | undefined;

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await origin?.close();
  origin = undefined;
  cleanupAll();
});

/** Captures what `traffic` sends through a proxy with `collections(options)`, then reads the file back. */
async function captureWith(traffic: (proxyPort: number, originUrl: string, dir: string) => Promise<void>, options = {}) {
  origin = await startRecordingOrigin();
  const home = tempDir();
  const started = await startCollectionsProxy(home, { name: 'Formats', saveResponses: true, ...options });
  proxy = started;
  await traffic(started.port, origin.url, home);
  await started.close();
  proxy = undefined;
  const collection = readCollection(started.file);
  expect(schemaErrors(collection)).toEqual([]);
  return { collection, requests: requestsOf(collection.item) };
}

describe('body modes', () => {
  it('saves JSON, XML and text raw with their language, forms as urlencoded, multipart as formdata, and notes binary', async () => {
    const { collection, requests } = await captureWith(async (port, url, dir) => {
      const upload = path.join(dir, 'photo.jpg');
      writeFileSync(upload, Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x10]));
      const blob = path.join(dir, 'blob.bin');
      writeFileSync(blob, Buffer.from([0, 1, 2, 0xfe, 0xff]));
      await curl(port, ['-H', 'Content-Type: application/json', '--data-binary', '{"name":"Zoë","tags":["a","b"]}', `${url}/json`]);
      await curl(port, ['--data-binary', 'user=ann&pass=s%26cret&empty=', `${url}/form`]);
      await curl(port, ['-F', 'title=hello world', '-F', `file=@${upload};type=image/jpeg`, `${url}/upload`]);
      await curl(port, ['-H', 'Content-Type: text/plain; charset=utf-8', '--data-binary', 'just some words', `${url}/text`]);
      await curl(port, ['-H', 'Content-Type: application/xml', '--data-binary', '<order id="1"/>', `${url}/xml`]);
      await curl(port, ['-X', 'PUT', '-H', 'Content-Type: application/octet-stream', '--data-binary', `@${blob}`, `${url}/blob`]);
      await curl(port, ['-o', '/dev/null', `${url}/img.png`]);
    });
    const [json, form, multipart, text, xml, binary, image] = requests as [Entry, Entry, Entry, Entry, Entry, Entry, Entry];
    expect(json.request!.body).toEqual({ mode: 'raw', raw: '{"name":"Zoë","tags":["a","b"]}', options: { raw: { language: 'json' } } });
    expect(form.request!.body).toEqual({
      mode: 'urlencoded',
      urlencoded: [
        { key: 'user', value: 'ann', type: 'text' },
        { key: 'pass', value: 's&cret', type: 'text' },
        { key: 'empty', value: '', type: 'text' },
      ],
    });
    expect(multipart.request!.body).toEqual({
      mode: 'formdata',
      formdata: [
        { key: 'title', value: 'hello world', type: 'text' },
        // No local path from captured data: newman would upload the file `src` names (issue 22).
        { key: 'file', src: null, type: 'file', contentType: 'image/jpeg', description: 'captured file name: photo.jpg' },
      ],
    });
    expect(multipart.request!.description).toContain('"file" (photo.jpg) kept only the file name');
    expect(text.request!.body).toEqual({ mode: 'raw', raw: 'just some words', options: { raw: { language: 'text' } } });
    expect(text.response![0]).toMatchObject({ body: 'you sent 15 bytes', _postman_previewlanguage: 'text' });
    expect(xml.request!.body).toEqual({ mode: 'raw', raw: '<order id="1"/>', options: { raw: { language: 'xml' } } });
    expect(xml.response![0]).toMatchObject({ body: '<ok/>', _postman_previewlanguage: 'xml' });
    // Binary bytes are not turned into text: the file mode, with a note saying what was sent.
    expect(binary.request!.body).toEqual({ mode: 'file', file: { src: null } });
    expect(binary.request!.description).toBe('The captured request body was 5 bytes of binary data (application/octet-stream), which a collection cannot hold: choose a file to send it.');
    expect(image.response![0]).toMatchObject({ code: 200, body: null });
    expect(image.response![0]!.header).toContainEqual({ key: 'Content-Type', value: 'image/png' });

    // newman replays each: text bodies byte for byte, the form's text field, and no invented bytes.
    const captured = origin!.received.slice();
    const from = captured.length;
    const run = await runNewman(collection);
    expect(run.failures).toEqual([]);
    expect(run.codes.every((code) => code !== undefined && code >= 200 && code < 300)).toBe(true);
    const replayed = origin!.since(from);
    expect(replayed.map((request) => `${request.method} ${request.url}`)).toEqual(captured.map((request) => `${request.method} ${request.url}`));
    for (const index of [0, 1, 3, 4]) expect(replayed[index]!.body.toString(), captured[index]!.url).toBe(captured[index]!.body.toString());
    expect(replayed[0]!.headers['content-type']).toBe('application/json');
    expect(replayed[1]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(replayed[2]!.body.toString()).toMatch(/name="title"\r\n\r\nhello world\r\n/);
    expect(replayed[5]!.body).toHaveLength(0);
  });
});

describe('query strings', () => {
  it('keeps repeated keys, empty values, keys without values and empty keys in order, and newman sends the same URL', async () => {
    const query = '?a=1&a=2&b=&c&=x&&d=%20e%2Bf&a=3';
    const { collection, requests } = await captureWith(async (port, url) => {
      await curl(port, [`${url}/search${query}`]);
    });
    const { url } = requests[0]!.request!;
    expect(url.raw).toBe(`${origin!.url}/search${query}`);
    expect(url.query).toEqual([
      { key: 'a', value: '1' },
      { key: 'a', value: '2' },
      { key: 'b', value: '' },
      { key: 'c', value: null },
      { key: '', value: 'x' },
      { key: '', value: null },
      { key: 'd', value: '%20e%2Bf' },
      { key: 'a', value: '3' },
    ]);
    const from = origin!.received.length;
    const run = await runNewman(collection);
    expect(run.failures).toEqual([]);
    expect(origin!.since(from).map((request) => request.url)).toEqual([`/search${query}`]);
  });
});

describe('HTTPS and ports', () => {
  it('saves intercepted HTTPS requests on a non-default port with their scheme and port, foldered by host:port', async () => {
    const dir = tempDir();
    const certificate = selfSignedCertificate(dir);
    origin = await startRecordingOrigin(https.createServer({ key: certificate.keyPem, cert: certificate.certPem }));
    const home = tempDir();
    const started = await startCollectionsProxy(home, { name: 'Secure', groupBy: 'domain,endpoint', saveResponses: true }, [httpsPlugin({ upstreamCa: [certificate.certFile] })]);
    proxy = started;
    const caFile = path.join(home, 'proxy', 'capture-proxy-ca.crt');
    const target = `https://localhost:${origin.port}`;
    await curl(started.port, ['--cacert', caFile, `${target}/users/42?full=1`]);
    await curl(started.port, ['--cacert', caFile, '-H', 'Content-Type: application/json', '--data-binary', '{"a":1}', `${target}/users`]);
    await started.close();
    proxy = undefined;

    const collection = readCollection(started.file);
    expect(schemaErrors(collection)).toEqual([]);
    const domain = `localhost:${origin.port}`;
    expect(collection.item.map((entry) => entry.name)).toEqual([domain]);
    expect(collection.item[0]!.item!.map((entry) => entry.name)).toEqual(['/users/:id', '/users']);
    const [get, post] = requestsOf(collection.item);
    expect(get!.request!.url).toEqual({ raw: `${target}/users/42?full=1`, protocol: 'https', host: ['localhost'], port: String(origin.port), path: ['users', '42'], query: [{ key: 'full', value: '1' }] });
    expect(post!.request!.body).toMatchObject({ mode: 'raw', raw: '{"a":1}' });
    expect(post!.response![0]!.code).toBe(201);

    const from = origin.received.length;
    const run = await runNewman(collection, { insecure: true });
    expect(run.failures).toEqual([]);
    expect(run.codes).toEqual([200, 201]);
    expect(origin.since(from).map((request) => `${request.method} ${request.url} ${request.body.toString()}`)).toEqual(['GET /users/42?full=1 ', 'POST /users {"a":1}']);
  });
});
