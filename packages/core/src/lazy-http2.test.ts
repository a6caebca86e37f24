import http2 from 'node:http2';
import { describe, expect, it } from 'vitest';
import { H2, loadHttp2 } from './lazy-http2.js';

describe('lazy node:http2', () => {
  it('has the values of Node\'s constants and loads the same module', () => {
    const { constants } = http2;
    expect(H2).toEqual({
      NO_ERROR: constants.NGHTTP2_NO_ERROR,
      INTERNAL_ERROR: constants.NGHTTP2_INTERNAL_ERROR,
      CANCEL: constants.NGHTTP2_CANCEL,
      FLAG_END_STREAM: constants.NGHTTP2_FLAG_END_STREAM,
    });
    expect(loadHttp2().connect).toBe(http2.connect);
  });
});
