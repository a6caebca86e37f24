import { afterEach, describe, expect, it } from 'vitest';
import filters, { type FiltersOptions } from '../src/index.js';
import { startRig, type FilterRig } from './helpers.js';

let rig: FilterRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

/** Sends each request in turn and returns, per path, whether storage got it and why not. */
async function outcomes(options: FiltersOptions, requests: Array<[method: string, path: string]>) {
  rig = await startRig((storage) => [filters(options), storage]);
  const result: Record<string, string> = {};
  for (const [method, path] of requests) {
    const { status, text, exchange } = await rig.send(path, { method });
    // Filters decide only what is captured: every request still reaches the origin and back.
    expect(status).toBe(200);
    expect(text).toContain(`origin saw ${method} ${path}`);
    const stored = rig.storage.stored.includes(exchange);
    expect(stored).toBe(!exchange.skip);
    result[`${method} ${path}`] = exchange.skip ? exchange.skip.reason : 'captured';
    if (exchange.skip) expect(exchange.skip.by).toBe('filters');
  }
  return result;
}

describe('filters through the proxy', () => {
  it('captures everything with no rules', async () => {
    expect(await outcomes({}, [['GET', '/a'], ['DELETE', '/b.js?ct=none'], ['POST', '/c?ct=text/css']])).toEqual({
      'GET /a': 'captured',
      'DELETE /b.js?ct=none': 'captured',
      'POST /c?ct=text/css': 'captured',
    });
  });

  it('include: captures only URLs containing a string or matching a regex', async () => {
    expect(await outcomes({ include: ['/api', /\/v2\//, /^http:\/\/127\.0\.0\.1:\d+\/ok$/] }, [
      ['GET', '/api/users'],
      ['GET', '/v2/items'],
      ['GET', '/ok'],
      ['GET', '/ok/not'],
      ['GET', '/rapid'],
    ])).toEqual({
      'GET /api/users': 'captured',
      'GET /v2/items': 'captured',
      'GET /ok': 'captured',
      'GET /ok/not': 'filtered: include',
      'GET /rapid': 'filtered: include',
    });
  });

  it('exclude: never captures URLs containing a string or matching a regex', async () => {
    expect(await outcomes({ exclude: ['/track', /\.GIF$/i] }, [
      ['GET', '/tracking/pixel'],
      ['GET', '/img/x.gif'],
      ['GET', '/api/users'],
    ])).toEqual({
      'GET /tracking/pixel': 'filtered: exclude',
      'GET /img/x.gif': 'filtered: exclude',
      'GET /api/users': 'captured',
    });
  });

  it('exclude wins over include', async () => {
    expect(await outcomes({ include: ['/api'], exclude: ['/api/private'] }, [
      ['GET', '/api/public'],
      ['GET', '/api/private/keys'],
      ['GET', '/home'],
    ])).toEqual({
      'GET /api/public': 'captured',
      'GET /api/private/keys': 'filtered: exclude',
      'GET /home': 'filtered: include',
    });
  });

  it('methods: captures only the listed methods, whatever the spacing and case', async () => {
    expect(await outcomes({ methods: '  get ,Post,\tpUT ' }, [
      ['GET', '/a'],
      ['POST', '/b'],
      ['PUT', '/c'],
      ['DELETE', '/d'],
      ['PATCH', '/e'],
    ])).toEqual({
      'GET /a': 'captured',
      'POST /b': 'captured',
      'PUT /c': 'captured',
      'DELETE /d': 'filtered: method',
      'PATCH /e': 'filtered: method',
    });
  });

  it('excludeAssets: by content type first, by the URL extension when the type is missing or generic', async () => {
    expect(await outcomes({ excludeAssets: true }, [
      ['GET', '/logo?ct=image/png'],
      ['GET', '/theme?ct=text/css;%20charset=utf-8'],
      ['GET', '/bundle?ct=application/javascript'],
      ['GET', '/app.js?ct=none'],
      ['GET', '/site.css?ct=application/octet-stream'],
      ['GET', '/icon.SVG?ct=none'],
      ['GET', '/app.js?ct=application/json'],
      ['GET', '/data?ct=none'],
      ['GET', '/song?ct=audio/mpeg'],
    ])).toEqual({
      'GET /logo?ct=image/png': 'filtered: asset',
      'GET /theme?ct=text/css;%20charset=utf-8': 'filtered: asset',
      'GET /bundle?ct=application/javascript': 'filtered: asset',
      'GET /app.js?ct=none': 'filtered: asset',
      'GET /site.css?ct=application/octet-stream': 'filtered: asset',
      'GET /icon.SVG?ct=none': 'filtered: asset',
      'GET /app.js?ct=application/json': 'captured',
      'GET /data?ct=none': 'captured',
      'GET /song?ct=audio/mpeg': 'captured',
    });
  });

  it('combines every rule', async () => {
    const options: FiltersOptions = { excludeAssets: true, include: ['/api/', '/cdn'], exclude: [/secret/], methods: ['GET', 'post'] };
    expect(await outcomes(options, [
      ['GET', '/api/users'],
      ['POST', '/api/users'],
      ['DELETE', '/api/users'],
      ['GET', '/api/secret'],
      ['GET', '/cdn/app.js?ct=none'],
      ['GET', '/cdn/data?ct=none'],
      ['GET', '/other'],
    ])).toEqual({
      'GET /api/users': 'captured',
      'POST /api/users': 'captured',
      'DELETE /api/users': 'filtered: method',
      'GET /api/secret': 'filtered: exclude',
      'GET /cdn/app.js?ct=none': 'filtered: asset',
      'GET /cdn/data?ct=none': 'captured',
      'GET /other': 'filtered: include',
    });
  });

  it('does not collect the bodies of an exchange filtered by its request, while still forwarding them', async () => {
    rig = await startRig((storage) => [filters({ exclude: ['/upload'] }), storage]);
    const body = 'x'.repeat(5000);
    const filtered = await rig.send('/upload', { method: 'POST', body });
    expect(filtered.text).toContain('with 5000 body bytes');
    expect(filtered.exchange.skip?.reason).toBe('filtered: exclude');
    expect(filtered.exchange.sizes.requestBody).toBe(5000);
    expect(filtered.exchange.request.body).toBeUndefined();
    expect(filtered.exchange.response?.body).toBeUndefined();
    const captured = await rig.send('/keep', { method: 'POST', body });
    expect(captured.exchange.skip).toBeUndefined();
    expect(captured.exchange.request.body?.bytes.toString()).toBe(body);
    expect(captured.exchange.response?.body?.bytes.toString()).toContain('origin saw POST /keep');
    expect(rig.storage.stored).toEqual([captured.exchange]);
  });

  it('keeps headers, status and timings of a media response, without its body, with no option set', async () => {
    rig = await startRig((storage) => [filters(), storage]);
    for (const type of ['image/png', 'audio/ogg', 'video/webm', 'IMAGE/JPEG; q=1']) {
      const { exchange, text } = await rig.send(`/media?ct=${encodeURIComponent(type)}`);
      expect(text).toContain('origin saw GET /media');
      expect(exchange.skip).toBeUndefined();
      expect(rig.storage.stored).toContain(exchange);
      expect(exchange.response).toMatchObject({ statusCode: 200, bodySkipped: 'media' });
      expect(exchange.response!.body).toBeUndefined();
      expect(exchange.response!.headers).toContainEqual(['Content-Type', type]);
      expect(exchange.sizes.responseBody).toBe(Buffer.byteLength(text));
      expect(exchange.timings.total).toBeGreaterThan(0);
    }
    const json = await rig.send('/json');
    expect(json.exchange.response!.bodySkipped).toBeUndefined();
    expect(json.exchange.response!.body?.bytes.toString()).toBe(json.text);
  });

  it('publishes the compiled rules', async () => {
    rig = await startRig((storage) => [filters({ include: '/api/', methods: 'get' }), storage]);
    const api = rig.proxy.proxy.plugin('filters')?.api;
    expect(api?.options.methods).toEqual(['GET']);
    expect(api?.options.include.map((pattern) => pattern.source)).toEqual(['/api/']);
  });
});
