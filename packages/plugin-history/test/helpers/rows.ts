import path from 'node:path';
import { openHistoryDatabase } from '../../src/database.js';
import type { HistoryRowWithMessages } from '../../src/record.js';
import { HistoryStore } from '../../src/store.js';
import { tempDir } from './temp.js';

/** A stored row as the writer makes it (a plain 200 GET); `over` sets what a test is about. */
export function historyRow(over: Partial<HistoryRowWithMessages> = {}): HistoryRowWithMessages {
  return {
    started_at: 1_700_000_000_000, method: 'GET', url: 'http://origin.test/items', host: 'origin.test', http_version: '1.1',
    request_headers: JSON.stringify([['host', 'origin.test']]), request_trailers: null, request_body: null, request_body_size: 0,
    request_body_truncated: 0, request_body_skipped: null, request_body_encoding: null, request_body_decoded: 0, client_address: '127.0.0.1',
    client_port: 50000, source: '127.0.0.1', tls: 0, mocked: 0, error_code: null, error_message: null, status: 200, status_message: 'OK',
    response_http_version: '1.1', response_headers: JSON.stringify([['content-type', 'text/plain']]), response_trailers: null, response_body: null,
    response_body_size: 0, response_body_truncated: 0, response_body_skipped: null, response_body_encoding: null, response_body_decoded: 0,
    duration: 1, first_byte: 1, websocket: null, grpc: null, ...over,
  };
}

/** A store on a new history.db in a temporary folder (removed by `cleanupAll`). */
export function openTempStore(file = path.join(tempDir(), 'history.db')): { store: HistoryStore; file: string } {
  return { store: new HistoryStore(openHistoryDatabase(file).db), file };
}
