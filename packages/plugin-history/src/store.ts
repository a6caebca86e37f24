import type Database from 'better-sqlite3';
import type { StoredExchange } from '@capture/core';
import type { WebSocketMessageRecord } from '@capture/core';
import { fromHistoryRow, OPEN_WEBSOCKET, type HistoryRow, type HistoryRowWithMessages, type StoredRow } from './record.js';
import { filterToSql, hostMatches, type FilterPlan, type HistoryFilter } from './query.js';
import { INDEXED_BODY_BYTES, SEARCH_STATE_TABLE, SEARCH_TABLE, searchFlag, searchText, trigramMatch } from './search-index.js';
import { grpcStatusOf } from './grpc-status.js';
import { ID_RANGE_SQL } from './schema.js';
import { BodyPieces, needsPieces, piecesBit, PIECES_SIZE, PIECES_TABLE, REQUEST_SIDE, RESPONSE_SIDE } from './body-pieces.js';

/** One line of `capture history list`: what the table shows, without bodies. */
export interface HistorySummary {
  id: number;
  startedAt: number;
  method: string;
  url: string;
  host: string;
  status: number | null;
  errorCode: string | null;
  /** Response body bytes on the wire (null when the response was not saved). */
  size: number | null;
  /** Milliseconds from the request head to the end of the response. */
  duration: number;
  /** The response's `Content-Type`, or null (none, or the response was not saved). */
  contentType: string | null;
  /** Why the response body was not captured (`media`), or null. */
  bodySkipped: string | null;
  /** True when a body was only partly captured (larger than `maxBodySize`). */
  truncated: boolean;
  /** True when it arrived over intercepted TLS. */
  tls: boolean;
  /** True when a plugin answered it. */
  mocked: boolean;
  /** Where it came from: `run:npm` for `capture run`, else the client's address. */
  source: string;
  /** The HTTP version the client spoke (`1.1`, `2`). */
  httpVersion: string;
  /** The HTTP version the origin answered in, or null without a saved response. */
  responseHttpVersion: string | null;
  /** For a gRPC call, its status as displays show it (`grpc 5 NOT_FOUND`, see `grpcStatusLine`); else null. */
  grpcStatus: string | null;
  /** True for a WebSocket connection that was still open when its row was last written. */
  open: boolean;
}

const COLUMNS = [
  'started_at', 'method', 'url', 'host', 'http_version', 'request_headers', 'request_trailers', 'request_body', 'request_body_size', 'request_body_truncated',
  'request_body_skipped', 'request_body_encoding', 'request_body_decoded', 'client_address', 'client_port', 'source', 'tls', 'mocked', 'error_code',
  'error_message', 'status', 'status_message', 'response_http_version', 'response_headers', 'response_trailers', 'response_body', 'response_body_size',
  'response_body_truncated', 'response_body_skipped', 'response_body_encoding', 'response_body_decoded', 'duration', 'first_byte',
  'websocket', 'grpc',
] as const satisfies ReadonlyArray<keyof HistoryRow>;

/** Where the two body columns are in {@link COLUMNS}. */
const BODY_COLUMNS = [COLUMNS.indexOf('request_body'), COLUMNS.indexOf('response_body')] as const;

/** SQLite binds Buffers; rows that crossed to the writer thread carry plain Uint8Array views (no copy made here). */
function asBuffer(bytes: Uint8Array | null): Buffer | null {
  return bytes === null || Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The `Content-Type` in a stored header list (JSON), found without parsing the whole list when it has none. */
function contentTypeOf(headers: string | null): string | null {
  if (!headers || !/content-type/i.test(headers)) return null;
  try {
    const list = JSON.parse(headers) as Array<[string, string]>;
    return list.find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? null;
  } catch {
    return null;
  }
}

/**
 * Above this many rows matching a host or a search's trigrams, a limited list walks from the
 * newest row and tests each, stopping once it has enough; at or below it the index leads and
 * only the matching rows are read and sorted. Either way reads at most a few thousand rows for
 * the common cases (a frequent host or word; a rare one).
 */
const INDEX_LEADS_BELOW = 20_000;

/** Rows deleted per statement when pruning, so one prune never holds the write lock for long. */
const PRUNE_CHUNK = 500;

/** Rows the indexer reads per statement (it stops between reads once its time is spent). */
const INDEX_READ_ROWS = 100;

/** What one {@link HistoryStore.indexChunk} did. */
export interface IndexedChunk {
  /** Rows added to the search index. */
  indexed: number;
  /** True when unindexed rows remain. */
  more: boolean;
}

/** Reads and writes the `exchanges` table. Synchronous (better-sqlite3); callers decide when to call it. */
export class HistoryStore {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement<unknown[]>;
  readonly #insertMany: (rows: readonly HistoryRowWithMessages[]) => void;
  readonly #insertMessage: Database.Statement<unknown[]>;
  readonly #pieces: BodyPieces;
  readonly #index: Database.Statement<unknown[]>;
  readonly #update: Database.Statement<unknown[]>;
  readonly #findOpen: Database.Statement<unknown[]>;
  /** Rows of WebSocket connections written open by this store, by exchange key: their completed rows replace them. */
  readonly #openRows = new Map<number, number>();
  readonly #messages: Database.Statement<unknown[]>;
  readonly #indexedThrough: Database.Statement<unknown[]>;
  readonly #unindexedRows: Database.Statement<unknown[]>;
  readonly #indexChunk: (maxRows: number, budgetMs: number) => IndexedChunk;
  /** Statements of fixed text prepared on first use: preparing one costs tens of µs, and retention asks after every batch. */
  readonly #prepared = new Map<string, Database.Statement<unknown[]>>();

  constructor(db: Database.Database) {
    this.#db = db;
    // Positional parameters: binding 30 named ones costs several µs more per row.
    this.#insert = db.prepare(`INSERT INTO exchanges (${COLUMNS.join(', ')}, search_binary, body_pieces) VALUES (${COLUMNS.map(() => '?').join(', ')}, ?, ?)`);
    this.#update = db.prepare(`UPDATE exchanges SET (${COLUMNS.join(', ')}, search_binary, body_pieces) = (${COLUMNS.map(() => '?').join(', ')}, ?, ?) WHERE id = ?`);
    this.#pieces = new BodyPieces(db);
    this.#findOpen = db.prepare(`SELECT id FROM exchanges WHERE started_at = ? AND method = ? AND url = ? AND websocket = '${OPEN_WEBSOCKET}' ORDER BY id DESC LIMIT 1`).pluck();
    const unindex = db.prepare(`DELETE FROM ${SEARCH_TABLE} WHERE rowid = ?`);
    const indexedThrough = db.prepare(`SELECT indexed_through FROM ${SEARCH_STATE_TABLE}`).pluck();
    this.#indexedThrough = indexedThrough;
    // Rows still held past the watermark: the span from the watermark (or the oldest row, when
    // pruning went past it) to the newest. Pruned ids do not count: with the default maxEntries a
    // burst prunes most of its rows before they would be worth indexing.
    this.#unindexedRows = db.prepare(
      `SELECT max(0, coalesce((SELECT max(id) FROM exchanges), 0) - max(indexed_through, coalesce((SELECT min(id) FROM exchanges), 1) - 1)) FROM ${SEARCH_STATE_TABLE}`,
    ).pluck();
    // A row with a body too long to index whole is read by every search anyway (SEARCH_PARTIAL),
    // so its bodies are not read here: a download's 10 MiB capture read back on this thread cost
    // a buffer (and SQLite a 10 MiB allocation) for nothing. The test is on the bodies' lengths,
    // which is what searchFlag decides PARTIAL from, and not on search_binary: that column comes
    // after the bodies in the row, and SQLite reaches it by walking the body's whole chain of
    // overflow pages, which put the 10 MiB body in this connection's page cache all the same
    // (heaptrack: 11 MiB). length() of a BLOB column reads only the row's header.
    const partial = `length(request_body) > ${INDEXED_BODY_BYTES} OR length(response_body) > ${INDEXED_BODY_BYTES}`;
    const unlessPartial = (column: string) => `CASE WHEN ${partial} THEN NULL ELSE ${column} END AS ${column}`;
    const pending = db.prepare(
      `SELECT id, url, request_headers, response_headers, ${unlessPartial('request_body')}, ${unlessPartial('response_body')} FROM exchanges WHERE id > ? ORDER BY id LIMIT ?`,
    );
    const setIndexedThrough = db.prepare(`UPDATE ${SEARCH_STATE_TABLE} SET indexed_through = ?`);
    const indexChunk = db.transaction((maxRows: number, budgetMs: number): IndexedChunk => {
      // Read in the transaction: another process writing the file may have moved it.
      let through = indexedThrough.get() as number;
      const deadline = performance.now() + budgetMs;
      let indexed = 0;
      let more = true;
      while (indexed < maxRows && performance.now() < deadline) {
        const wanted = Math.min(INDEX_READ_ROWS, maxRows - indexed);
        const rows = pending.all([through, wanted]) as Array<Pick<StoredRow, 'id' | 'url' | 'request_headers' | 'response_headers' | 'request_body' | 'response_body'>>;
        for (const row of rows) {
          this.#index.run([row.id, row.url, row.request_headers, row.response_headers, searchText(row.request_body), searchText(row.response_body)]);
          through = row.id;
        }
        indexed += rows.length;
        if (rows.length < wanted) {
          more = false;
          break;
        }
      }
      // With the rows, in their transaction: a crash keeps both or neither.
      if (indexed) setIndexedThrough.run([through]);
      return { indexed, more };
    });
    this.#indexChunk = (maxRows, budgetMs) => indexChunk.immediate(maxRows, budgetMs);
    this.#index = db.prepare(`INSERT INTO ${SEARCH_TABLE} (rowid, url, request_headers, response_headers, request_body, response_body) VALUES (?, ?, ?, ?, ?, ?)`);
    this.#insertMessage = db.prepare('INSERT INTO websocket_messages (exchange_id, seq, from_client, opcode, time, size, text, base64, truncated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.#messages = db.prepare('SELECT from_client, opcode, time, size, text, base64, truncated FROM websocket_messages WHERE exchange_id = ? ORDER BY seq');
    const insertAll = db.transaction((rows: readonly HistoryRowWithMessages[]) => {
      for (const row of rows) {
        const values: unknown[] = COLUMNS.map((column) => row[column]);
        const requestBody = asBuffer(row.request_body);
        const responseBody = asBuffer(row.response_body);
        // A long body goes to its pieces once the row has its id; the row keeps NULL in its place.
        const requestPieces = needsPieces(requestBody);
        const responsePieces = needsPieces(responseBody);
        values[BODY_COLUMNS[0]] = requestPieces ? null : requestBody;
        values[BODY_COLUMNS[1]] = responsePieces ? null : responseBody;
        values.push(searchFlag(requestBody, responseBody), (requestPieces ? piecesBit(REQUEST_SIDE) : 0) | (responsePieces ? piecesBit(RESPONSE_SIDE) : 0));
        // The open row this store wrote, or one another connection wrote (the proxy's thread writes
        // until the writer thread is up): found by its start, method and URL.
        const open =
          row.exchangeKey === undefined || row.websocket === OPEN_WEBSOCKET
            ? undefined
            : (this.#openRows.get(row.exchangeKey) ?? (row.status === 101 ? (this.#findOpen.get([row.started_at, row.method, row.url]) as number | undefined) : undefined));
        let lastInsertRowid: number | bigint;
        if (open !== undefined && this.#update.run([...values, open]).changes) {
          // The open connection's row becomes the completed one (same id); pruned meanwhile, it is inserted.
          this.#openRows.delete(row.exchangeKey!);
          this.#pieces.remove(open);
          // Indexed already (under the watermark): its entry is replaced now, as the indexer
          // will not come back to it. Past the watermark the indexer reads the completed row.
          if (open <= (indexedThrough.get() as number)) {
            unindex.run([open]);
            this.#index.run([open, row.url, row.request_headers, row.response_headers, searchText(requestBody), searchText(responseBody)]);
          }
          lastInsertRowid = open;
        } else lastInsertRowid = this.#insert.run(values).lastInsertRowid;
        if (requestPieces) this.#pieces.write(lastInsertRowid, REQUEST_SIDE, requestBody!);
        if (responsePieces) this.#pieces.write(lastInsertRowid, RESPONSE_SIDE, responseBody!);
        if (row.websocket === OPEN_WEBSOCKET && row.exchangeKey !== undefined) this.#openRows.set(row.exchangeKey, Number(lastInsertRowid));
        // In the exchange's transaction: an exchange is never stored without its messages.
        row.messages?.forEach((message, seq) =>
          this.#insertMessage.run([lastInsertRowid, seq, message.fromClient ? 1 : 0, message.opcode, message.time, message.size, message.text ?? null, message.base64 ?? null, message.truncated ? 1 : 0]),
        );
      }
    });
    // IMMEDIATE takes the write lock up front: with two processes on one file, the second waits
    // (busy timeout) instead of failing when it upgrades a read lock mid-transaction.
    this.#insertMany = (rows) => insertAll.immediate(rows);
  }

  /** The search index's watermark: every row with an id up to it is indexed, no later one is. */
  indexedThrough(): number {
    return this.#indexedThrough.get() as number;
  }

  /** How many held rows are past the watermark (not yet in the search index); ids pruned since do not count. Three lookups. */
  unindexedRows(): number {
    return this.#unindexedRows.get() as number;
  }

  /**
   * Adds the oldest unindexed rows to the search index, in one write transaction with the
   * watermark: at most `maxRows`, stopping early once `budgetMs` is spent, so a write that
   * arrives meanwhile waits for one chunk only. `more` is false once the tail is indexed.
   */
  indexChunk(maxRows: number, budgetMs = Infinity): IndexedChunk {
    return this.#indexChunk(maxRows, budgetMs);
  }

  /** Indexes every unindexed row (tests and benchmarks; the writer indexes in chunks). */
  indexAll(): number {
    let total = 0;
    for (let chunk = this.indexChunk(INDEX_READ_ROWS * 10); ; chunk = this.indexChunk(INDEX_READ_ROWS * 10)) {
      total += chunk.indexed;
      if (!chunk.more) return total;
    }
  }

  /** The connection, for tests and maintenance. */
  get db(): Database.Database {
    return this.#db;
  }

  /** Writes rows in one transaction. */
  insertMany(rows: readonly HistoryRowWithMessages[]): void {
    if (rows.length) this.#insertMany(rows);
  }

  /**
   * How to run a filter (see {@link FilterPlan}): the stored hosts its host matches, found from
   * the host index's distinct values (a few lookups, not a scan), and for a limited list whether
   * the host and search indexes should lead.
   */
  #plan(filter: HistoryFilter): FilterPlan {
    const plan: FilterPlan = {};
    if (filter.host) {
      const hosts = this.#db
        .prepare(
          'WITH RECURSIVE seen(host) AS (SELECT min(host) FROM exchanges UNION ALL SELECT (SELECT min(host) FROM exchanges WHERE host > seen.host) FROM seen WHERE seen.host IS NOT NULL) SELECT host FROM seen WHERE host IS NOT NULL',
        )
        .pluck()
        .all() as string[];
      plan.hosts = hosts.filter((host) => hostMatches(host, filter.host!));
      if (filter.limit && plan.hosts.length) {
        const many = this.#db.prepare(`SELECT 1 FROM exchanges WHERE host IN (${plan.hosts.map(() => '?').join(', ')}) LIMIT 1 OFFSET ${INDEX_LEADS_BELOW}`).get(plan.hosts);
        plan.hostIndex = many === undefined;
      }
    }
    const match = filter.search ? trigramMatch(filter.search) : undefined;
    if (match && filter.limit) {
      const many = this.#db.prepare(`SELECT rowid FROM ${SEARCH_TABLE} WHERE ${SEARCH_TABLE} MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ${INDEX_LEADS_BELOW}`).get(match);
      plan.searchIndex = many === undefined;
    }
    return plan;
  }

  /** Summaries matching a filter, newest first. */
  list(filter: HistoryFilter = {}): HistorySummary[] {
    const { where, params } = filterToSql(filter, this.#plan(filter));
    const limit = filter.limit ? `LIMIT ${Math.floor(filter.limit)}` : '';
    const rows = this.#db
      .prepare(
        'SELECT id, started_at, method, url, host, status, error_code, response_body_size, duration, response_headers, response_body_skipped,' +
          ` request_body_truncated, response_body_truncated, tls, mocked, source, http_version, response_http_version, response_trailers, websocket = '${OPEN_WEBSOCKET}' AS open FROM exchanges ${where} ORDER BY started_at DESC, id DESC ${limit}`,
      )
      .all(params) as Array<
      Pick<
        StoredRow,
        | 'id' | 'started_at' | 'method' | 'url' | 'host' | 'status' | 'error_code' | 'response_body_size' | 'duration' | 'response_headers'
        | 'response_body_skipped' | 'request_body_truncated' | 'response_body_truncated' | 'tls' | 'mocked' | 'source'
        | 'http_version' | 'response_http_version' | 'response_trailers'
      > & { open: number }
    >;
    return rows.map((row) => ({
      id: row.id,
      startedAt: row.started_at,
      method: row.method,
      url: row.url,
      host: row.host,
      status: row.status,
      errorCode: row.error_code,
      size: row.response_body_size,
      duration: row.duration,
      contentType: contentTypeOf(row.response_headers),
      bodySkipped: row.response_body_skipped,
      truncated: row.request_body_truncated === 1 || row.response_body_truncated === 1,
      tls: row.tls === 1,
      mocked: row.mocked === 1,
      source: row.source,
      httpVersion: row.http_version,
      responseHttpVersion: row.response_http_version,
      grpcStatus: grpcStatusOf(row.response_headers, row.response_trailers),
      open: row.open === 1,
    }));
  }

  /** Whole exchanges matching a filter, oldest first (the order exports want); `limit` keeps the newest. */
  *exchanges(filter: HistoryFilter = {}): Generator<StoredExchange> {
    const { where, params } = filterToSql(filter, this.#plan(filter));
    const newest = filter.limit ? `SELECT * FROM exchanges ${where} ORDER BY started_at DESC, id DESC LIMIT ${Math.floor(filter.limit)}` : `SELECT * FROM exchanges ${where}`;
    const statement = this.#db.prepare(`SELECT * FROM (${newest}) ORDER BY started_at ASC, id ASC`);
    for (const row of statement.iterate(params)) yield this.#toRecord(row as StoredRow);
  }

  /** One exchange by id, or undefined. */
  get(id: number): StoredExchange | undefined {
    const row = this.#statement('SELECT * FROM exchanges WHERE id = ?').get(id) as StoredRow | undefined;
    return row && this.#toRecord(row);
  }

  /** A row as a record: its long bodies joined from their pieces, and its WebSocket messages when it is a WebSocket connection. */
  #toRecord(row: StoredRow): ReturnType<typeof fromHistoryRow> {
    if (row.body_pieces & piecesBit(REQUEST_SIDE)) row.request_body = this.#pieces.read(row.id, REQUEST_SIDE);
    if (row.body_pieces & piecesBit(RESPONSE_SIDE)) row.response_body = this.#pieces.read(row.id, RESPONSE_SIDE);
    if (!row.websocket) return fromHistoryRow(row);
    const rows = this.#messages.all([row.id]) as Array<{ from_client: number; opcode: number; time: number; size: number; text: string | null; base64: string | null; truncated: number }>;
    const messages: WebSocketMessageRecord[] = rows.map((message) => ({
      fromClient: message.from_client === 1,
      opcode: message.opcode,
      time: message.time,
      size: message.size,
      ...(message.text !== null ? { text: message.text } : {}),
      ...(message.base64 !== null ? { base64: message.base64 } : {}),
      truncated: message.truncated === 1,
    }));
    return fromHistoryRow(row, messages);
  }

  /** The statement for `sql`, prepared once (`pluck`: it returns the first column only). */
  #statement(sql: string, pluck = false): Database.Statement<unknown[]> {
    let statement = this.#prepared.get(sql);
    if (!statement) {
      statement = this.#db.prepare<unknown[]>(sql);
      if (pluck) statement.pluck();
      this.#prepared.set(sql, statement);
    }
    return statement;
  }

  /** True when no exchange is stored (one b-tree lookup, unlike {@link count}). */
  isEmpty(): boolean {
    return this.#statement('SELECT NOT EXISTS (SELECT 1 FROM exchanges)', true).get() === 1;
  }

  /** How many exchanges there are. */
  count(): number {
    return this.#statement('SELECT count(*) FROM exchanges', true).get() as number;
  }

  /**
   * Deletes one chunk of exchanges beyond `maxEntries` (the oldest) or older than `maxAge`.
   * Returns how many it deleted; call again while it returns a full chunk.
   */
  pruneChunk(maxEntries: number, maxAge: number | undefined, now = Date.now(), maxBytes?: number): number {
    let deleted = 0;
    // Ids grow by one per insert and only the oldest rows are ever deleted, so the newest
    // maxEntries are exactly those above max(id) - maxEntries: one index lookup, where counting
    // back with OFFSET would walk every row (milliseconds at 10,000 rows, on every write).
    const newest = this.#statement('SELECT max(id) FROM exchanges', true).get() as number | null;
    if (newest !== null && newest > maxEntries) {
      deleted += this.#statement('DELETE FROM exchanges WHERE id IN (SELECT id FROM exchanges WHERE id <= ? ORDER BY id LIMIT ?)').run(newest - maxEntries, PRUNE_CHUNK).changes;
    }
    if (maxAge !== undefined && deleted < PRUNE_CHUNK) {
      deleted += this.#statement('DELETE FROM exchanges WHERE id IN (SELECT id FROM exchanges WHERE started_at < ? ORDER BY started_at LIMIT ?)').run(now - maxAge, PRUNE_CHUNK - deleted).changes;
    }
    if (maxBytes !== undefined && deleted < PRUNE_CHUNK) deleted += this.#pruneBytes(maxBytes, PRUNE_CHUNK - deleted);
    return deleted;
  }

  /**
   * True when retention has rows to delete now (more than `maxEntries`, or more than `maxBytes`
   * held), found from two index lookups and three pragmas: cheap enough to ask at start.
   */
  pruneDue(maxEntries: number, maxBytes?: number): boolean {
    const { oldest, newest } = this.#statement(ID_RANGE_SQL).get() as { oldest: number | null; newest: number | null };
    if (oldest !== null && newest !== null && oldest <= newest - maxEntries) return true;
    return maxBytes !== undefined && this.usedBytes() > maxBytes;
  }

  /**
   * The bytes the database's pages hold now (the file less its free pages), read from two
   * pragmas: no scan, so it can run after every write.
   */
  usedBytes(): number {
    const pages = this.#statement('PRAGMA page_count', true).get() as number;
    const free = this.#statement('PRAGMA freelist_count', true).get() as number;
    const size = this.#statement('PRAGMA page_size', true).get() as number;
    return (pages - free) * size;
  }

  /**
   * Deletes up to `limit` of the oldest exchanges, as many as hold what `usedBytes` is over
   * `maxBytes`. Each round deletes the oldest rows whose estimated pages cover the excess, then
   * measures again: the estimate errs high, so a round never deletes more than it must, and the
   * next round takes what is still over.
   */
  #pruneBytes(maxBytes: number, limit: number): number {
    const pageSize = this.#statement('PRAGMA page_size', true).get() as number;
    // Row sizes from the lengths SQLite keeps in each record (length() reads no blob), plus a
    // row's overhead, and the WebSocket messages that go with the row (deleted with it by a
    // trigger). Without the messages a long WebSocket connection counted as a few hundred bytes
    // and pruning deleted far more exchanges than it had to. A message row (a WITHOUT ROWID
    // table) keeps about 1000 bytes in its page; a longer one spills to overflow pages of its own,
    // counted whole, plus a page for the part kept in place.
    const estimate = this.#statement(
      `SELECT id, 256 + length(url) + length(request_headers) + coalesce(length(request_body), 0)
         + coalesce(length(request_trailers), 0) + coalesce(length(response_headers), 0) + coalesce(length(response_body), 0)
         + coalesce(length(response_trailers), 0) + coalesce(length(websocket), 0) + coalesce(length(grpc), 0) + ${PIECES_SIZE}
         + CASE WHEN websocket IS NULL THEN 0 ELSE coalesce((
             SELECT sum(CASE WHEN n > 1000 THEN ((n - 1000) / ($page - 4) + 2) * $page ELSE n + 48 END)
             FROM (SELECT 32 + coalesce(octet_length(text), 0) + coalesce(length(base64), 0) AS n FROM websocket_messages WHERE exchange_id = exchanges.id)
           ), 0) END AS size
       FROM exchanges ORDER BY id LIMIT $limit`,
    );
    const remove = this.#statement('DELETE FROM exchanges WHERE id <= ?');
    let deleted = 0;
    while (deleted < limit) {
      const over = this.usedBytes() - maxBytes;
      if (over <= 0) break;
      const rows = estimate.all({ page: pageSize, limit: limit - deleted }) as Array<{ id: number; size: number }>;
      let freed = 0;
      let last: number | undefined;
      for (const row of rows) {
        last = row.id;
        freed += row.size;
        if (freed >= over) break;
      }
      if (last === undefined) break;
      deleted += remove.run(last).changes;
    }
    return deleted;
  }

  /** The size of one prune chunk. */
  static readonly PRUNE_CHUNK = PRUNE_CHUNK;

  /**
   * Deletes every exchange and overwrites the freed pages, then shrinks the file when no other
   * process is using it. Returns how many were deleted.
   */
  clear(): number {
    this.#db.pragma('secure_delete = ON');
    // The pieces first, in one statement: the trigger would delete them row by row.
    const deleted = this.#db.transaction(() => {
      this.#db.prepare(`DELETE FROM ${PIECES_TABLE}`).run();
      return this.#db.prepare('DELETE FROM exchanges').run().changes;
    })();
    try {
      this.#db.pragma('wal_checkpoint(TRUNCATE)');
      this.#db.exec('VACUUM');
    } catch {
      // Another process (a running capture) holds the file open: the rows are gone and their
      // pages zeroed; the file shrinks the next time it can be vacuumed.
    }
    return deleted;
  }

  /** Closes the connection (checkpointing the WAL into the file). */
  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
