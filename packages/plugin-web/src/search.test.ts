import { describe, expect, it } from 'vitest';
import { parseQuery, queryMatcher, toHistoryFilter } from './search.js';
import type { ViewExchange } from './view-model.js';

const exchange = (method: string, url: string, status: number | undefined, body = ''): ViewExchange => ({
  viewId: 'x1',
  id: 1,
  client: { address: '127.0.0.1', port: 1 },
  tls: false,
  mocked: false,
  request: { method, url, host: 'example.com', httpVersion: '1.1', headers: [['X-Trace', 'Abc']], bodySize: body.length, ...(body ? { body: { bytes: Buffer.from(body), size: body.length, truncated: false, decoded: false } } : {}) },
  ...(status === undefined ? {} : { response: { statusCode: status, statusMessage: '', httpVersion: '1.1', headers: [], bodySize: 0 } }),
  timings: { startedAt: 0, total: 1 },
});

describe('search', () => {
  it('reads methods and statuses as selectors and the rest as one phrase', () => {
    expect(parseQuery('  post 4XX  user login ')).toEqual({ methods: ['POST'], statuses: ['4xx'], text: 'user login' });
    expect(parseQuery('')).toEqual({ methods: [], statuses: [], text: '' });
    expect(toHistoryFilter(parseQuery('GET 404 /api'))).toEqual({ methods: ['GET'], statuses: ['404'], search: '/api' });
    expect(toHistoryFilter(parseQuery(''))).toEqual({});
  });

  it('matches exchanges in memory as history does: URL in any case, headers and bodies as written', () => {
    const match = (query: string, candidate: ViewExchange) => queryMatcher(parseQuery(query))(candidate);
    const post = exchange('POST', 'http://example.com/API/Login', 401, '{"user":"ann"}');
    expect(match('post', post)).toBe(true);
    expect(match('get', post)).toBe(false);
    expect(match('4xx', post)).toBe(true);
    expect(match('401', post)).toBe(true);
    expect(match('5xx', post)).toBe(false);
    expect(match('api/login', post)).toBe(true);
    expect(match('"user":"ann"', post)).toBe(true);
    expect(match('"USER"', post)).toBe(false);
    expect(match('Abc', post)).toBe(true);
    expect(match('200', exchange('GET', 'http://example.com/', undefined))).toBe(false);
  });
});

describe('search by source', () => {
  const from = (source: string | undefined): ViewExchange => ({ ...exchange('GET', 'http://example.com/a', 200), ...(source === undefined ? {} : { source }) });

  it('reads source:S as a selector and passes it to history', () => {
    expect(parseQuery('source:run:npm GET login')).toEqual({ methods: ['GET'], statuses: [], source: 'run:npm', text: 'login' });
    expect(toHistoryFilter(parseQuery('source:run:'))).toEqual({ source: 'run:' });
  });

  it('matches exactly, or every source with the prefix when it ends in ":"; records without a source are their client', () => {
    const match = (query: string, candidate: ViewExchange) => queryMatcher(parseQuery(query))(candidate);
    expect(match('source:run:npm', from('run:npm'))).toBe(true);
    expect(match('source:run:npm', from('run:npmx'))).toBe(false);
    expect(match('source:run:', from('run:git'))).toBe(true);
    expect(match('source:run:', from('127.0.0.1'))).toBe(false);
    expect(match('source:127.0.0.1', from(undefined))).toBe(true);
  });
});
