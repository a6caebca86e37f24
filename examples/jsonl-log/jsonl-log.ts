import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { CaptureError, Stage, type CapturePlugin, type Exchange } from '@capture/core';

/** Options of {@link jsonlLog}. */
export interface JsonlLogOptions {
  /** The file to append to; relative paths are inside the data folder. Default `exchanges.jsonl`. */
  file?: string;
}

/** One line of the log: a summary of an exchange (bodies left out to keep lines small). */
export interface JsonlEntry {
  id: number;
  time: string;
  method: string;
  url: string;
  status: number | null;
  error: string | null;
  durationMs: number;
  requestBytes: number;
  responseBytes: number;
  mocked: boolean;
}

function entryOf(exchange: Exchange): JsonlEntry {
  return {
    id: exchange.id,
    time: new Date(exchange.timings.startedAt).toISOString(),
    method: exchange.request.method,
    url: exchange.request.url,
    status: exchange.response?.statusCode ?? null,
    error: exchange.error?.code ?? null,
    durationMs: exchange.timings.total,
    requestBytes: exchange.sizes.requestBody,
    responseBytes: exchange.sizes.responseBody,
    mocked: exchange.mocked,
  };
}

/**
 * Appends every captured exchange to a JSON Lines file. `apply` opens the file (in append mode,
 * so restarts add to it), `onExchange` writes one line at `Stage.OBSERVE` (after redaction and
 * storage), and `onClose` ends the stream and waits until the lines are on disk.
 */
export default function jsonlLog(options: JsonlLogOptions = {}): CapturePlugin {
  const file = options.file ?? 'exchanges.jsonl';
  if (typeof file !== 'string' || file === '') throw new Error(`jsonl-log: option "file" must be a file path, got ${JSON.stringify(file)}`);
  return {
    name: 'jsonl-log',
    apply(proxy) {
      const target = path.resolve(proxy.dataDir, file);
      mkdirSync(path.dirname(target), { recursive: true });
      const stream: WriteStream = createWriteStream(target, { flags: 'a' });
      // A write error (disk full) is reported once through onError; the proxy keeps running.
      stream.on('error', (error) => proxy.hooks.onError.call(new CaptureError('JSONL_WRITE', `jsonl-log: cannot write ${target}: ${error.message}`, { cause: error })));
      proxy.hooks.onExchange.tapPromise({ name: 'jsonl-log', stage: Stage.OBSERVE }, async (exchange) => {
        stream.write(`${JSON.stringify(entryOf(exchange))}\n`);
      });
      proxy.hooks.onClose.tapPromise('jsonl-log', async () => {
        if (stream.destroyed) return;
        stream.end();
        await once(stream, 'finish');
      });
    },
    reconfigure: (overrides) => jsonlLog({ ...options, ...overrides }),
  };
}
