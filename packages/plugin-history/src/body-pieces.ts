import type Database from 'better-sqlite3';

/**
 * The most body bytes one row of `body_pieces` holds, and the longest body kept in its exchange's
 * row. SQLite copies a bound BLOB (better-sqlite3 binds with SQLITE_TRANSIENT) and then builds the
 * whole row in one more buffer before writing it to pages, so a download's 10 MiB capture written
 * in its row cost the writer two 10 MiB allocations at once, which glibc then kept: 20 MiB of the
 * proxy's peak during a download. In pieces the writer allocates at most twice this at a time. A
 * long body in its row also sat in front of every column added since (SQLite reaches those by
 * walking the body's overflow pages), so `history list` over rows of downloads read them all.
 */
export const BODY_PIECE_BYTES = 256 * 1024;

/** The table of long bodies' pieces. */
export const PIECES_TABLE = 'body_pieces';

/** Which side of an exchange a body belongs to, as `side` in {@link PIECES_TABLE}: 0 the request, 1 the response. */
export type BodySide = 0 | 1;

/** The request's side. */
export const REQUEST_SIDE: BodySide = 0;
/** The response's side. */
export const RESPONSE_SIDE: BodySide = 1;

/** The bit of `exchanges.body_pieces` that says this side's body is in pieces. */
export function piecesBit(side: BodySide): number {
  return 1 << side;
}

/** True when `body` is too long to be kept in its exchange's row. */
export function needsPieces(body: Uint8Array | null): body is Uint8Array {
  return body !== null && body.byteLength > BODY_PIECE_BYTES;
}

/**
 * SQL that is true when the pieces of the exchange in the enclosing `exchanges` row hold
 * `@searchBytes` (bound as a BLOB; `@searchTail` its length less one): each piece is tested with
 * the start of the next one appended, so a match across two pieces is found as in one body.
 */
export const PIECES_HOLD_SEARCH = `(body_pieces != 0 AND EXISTS (
  SELECT 1 FROM ${PIECES_TABLE} piece LEFT JOIN ${PIECES_TABLE} next
    ON next.exchange_id = piece.exchange_id AND next.side = piece.side AND next.seq = piece.seq + 1
  WHERE piece.exchange_id = exchanges.id
    AND instr(CAST(piece.bytes || coalesce(substr(next.bytes, 1, @searchTail), x'') AS BLOB), @searchBytes) > 0))`;

/** SQL for the bytes the pieces of the enclosing `exchanges` row take, each with a row's overhead (for `maxBytes`). */
export const PIECES_SIZE = `CASE WHEN body_pieces = 0 THEN 0 ELSE coalesce((SELECT sum(length(bytes) + 64) FROM ${PIECES_TABLE} WHERE exchange_id = exchanges.id), 0) END`;

/** Writes and reads long bodies as pieces of {@link BODY_PIECE_BYTES}, keyed by exchange id, side and order. */
export class BodyPieces {
  readonly #insert: Database.Statement<unknown[]>;
  readonly #select: Database.Statement<unknown[]>;
  readonly #delete: Database.Statement<unknown[]>;

  constructor(db: Database.Database) {
    this.#insert = db.prepare(`INSERT INTO ${PIECES_TABLE} (exchange_id, side, seq, bytes) VALUES (?, ?, ?, ?)`);
    this.#select = db.prepare(`SELECT bytes FROM ${PIECES_TABLE} WHERE exchange_id = ? AND side = ? ORDER BY seq`).pluck();
    this.#delete = db.prepare(`DELETE FROM ${PIECES_TABLE} WHERE exchange_id = ?`);
  }

  /** Stores `body` as the pieces of one side of exchange `id` (views into it are bound: SQLite copies each piece). */
  write(id: number | bigint, side: BodySide, body: Buffer): void {
    for (let seq = 0, offset = 0; offset < body.length; seq++, offset += BODY_PIECE_BYTES) {
      this.#insert.run([id, side, seq, body.subarray(offset, offset + BODY_PIECE_BYTES)]);
    }
  }

  /** One side's body joined from its pieces, or null when it has none. */
  read(id: number, side: BodySide): Buffer | null {
    const pieces = this.#select.all([id, side]) as Buffer[];
    if (pieces.length === 0) return null;
    return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
  }

  /** Deletes every piece of exchange `id` (its row is being replaced). */
  remove(id: number | bigint): void {
    this.#delete.run([id]);
  }
}
