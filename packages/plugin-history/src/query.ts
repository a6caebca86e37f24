import { CaptureError } from '@capture/core/data';
import { parseSince } from './duration.js';
import { PIECES_HOLD_SEARCH } from './body-pieces.js';
import { needsBinaryScan, SEARCH_BINARY, SEARCH_PARTIAL, SEARCH_STATE_TABLE, SEARCH_TABLE, trigramMatch } from './search-index.js';

/** What `list` and `export` select by. Every field is optional; all given must match. */
export interface HistoryFilter {
  /** Only these ids. */
  ids?: number[];
  /** A host (`example.com` also matches `api.example.com` and any port). */
  host?: string;
  /** Methods, any case. */
  methods?: string[];
  /** Status codes or classes: `404`, `4xx`. */
  statuses?: string[];
  /**
   * Where exchanges came from: exactly this source (`run:npm`, `127.0.0.1`), or, when it ends in
   * `:` (`run:`), every source that starts with it.
   */
  source?: string;
  /** Text in the URL (any case), the headers or the bodies. */
  search?: string;
  /** Epoch milliseconds: only exchanges that started at or after it. */
  since?: number;
  /** At most this many, the newest. */
  limit?: number;
  /**
   * Only exchanges listed after this one, newest first (the next page of a list): started before
   * `startedAt`, or at that time with an id below `id`.
   */
  before?: { startedAt: number; id: number };
}

/** A filter as SQL: a `WHERE` clause (or empty) and its named parameters. */
export interface FilterSql {
  where: string;
  params: Record<string, string | number | Buffer>;
}

/**
 * How the store chose to run a filter (see `HistoryStore`): which stored hosts `host` matches,
 * and whether the host and search indexes lead the query or only test the rows a walk from the
 * newest reaches (the faster way when they match many rows and a limit stops the walk early).
 */
export interface FilterPlan {
  /** The stored hosts the filter's host matches (see {@link hostMatches}); without it, SQL tests each row. */
  hosts?: string[];
  /** False: the host test does not use its index (`+host`). Default true. */
  hostIndex?: boolean;
  /** False: the search does not use the search index. Default true. */
  searchIndex?: boolean;
}

/**
 * True when a stored host (`api.example.com:8443`) is `wanted` or under it, with any port, in
 * any case: history's `--host` rule (`example.com` matches `api.example.com:8443`).
 */
export function hostMatches(stored: string, wanted: string): boolean {
  const host = stored.toLowerCase();
  const want = wanted.toLowerCase();
  return host === want || host.startsWith(`${want}:`) || host.endsWith(`.${want}`) || host.includes(`.${want}:`);
}

/** Builds the `WHERE` clause for a filter; values are always bound, never spliced into SQL. */
export function filterToSql(filter: HistoryFilter, plan: FilterPlan = {}): FilterSql {
  const clauses: string[] = [];
  const params: FilterSql['params'] = {};
  if (filter.ids?.length) {
    clauses.push(`id IN (${filter.ids.map((id, index) => ((params[`id${index}`] = id), `@id${index}`)).join(', ')})`);
  }
  if (filter.host && plan.hosts) {
    clauses.push(
      plan.hosts.length ? `${plan.hostIndex === false ? '+' : ''}host IN (${plan.hosts.map((host, index) => ((params[`host${index}`] = host), `@host${index}`)).join(', ')})` : '0',
    );
  } else if (filter.host) {
    params.host = filter.host.toLowerCase();
    clauses.push(`(host = @host OR host LIKE @host || ':%' OR host LIKE '%.' || @host OR host LIKE '%.' || @host || ':%')`);
  }
  if (filter.methods?.length) {
    clauses.push(`method IN (${filter.methods.map((method, index) => ((params[`method${index}`] = method.toUpperCase()), `@method${index}`)).join(', ')})`);
  }
  if (filter.statuses?.length) {
    const parts = filter.statuses.map((status, index) => {
      if (/^[1-5]xx$/i.test(status)) {
        params[`statusLow${index}`] = Number(status[0]) * 100;
        return `(status >= @statusLow${index} AND status < @statusLow${index} + 100)`;
      }
      params[`status${index}`] = Number(status);
      return `status = @status${index}`;
    });
    clauses.push(`(${parts.join(' OR ')})`);
  }
  if (filter.source) {
    if (filter.source.endsWith(':')) {
      // A prefix, compared byte for byte (LIKE would ignore case and need its wildcards escaped).
      params.sourcePrefix = filter.source;
      clauses.push('substr(source, 1, length(@sourcePrefix)) = @sourcePrefix');
    } else {
      params.source = filter.source;
      clauses.push('source = @source');
    }
  }
  if (filter.search) {
    params.search = filter.search;
    const searchBytes = Buffer.from(filter.search);
    params.searchBytes = searchBytes;
    params.searchTail = searchBytes.length - 1;
    // The index narrows the rows to those holding every trigram of the text (any case); the exact
    // test below then decides, so indexed or not a search matches the same rows.
    const match = plan.searchIndex === false ? undefined : trigramMatch(filter.search);
    if (match) {
      params.searchMatch = match;
      // Bodies that are not text are indexed by their printable ASCII only: a text with other
      // characters may be in one of them unindexed, so those rows are read too.
      // Rows with a body longer than the index holds are always read (their own partial index).
      const binary = needsBinaryScan(filter.search) ? ` UNION ALL SELECT id FROM exchanges WHERE search_binary = ${SEARCH_BINARY}` : '';
      // Rows past the watermark are not indexed yet (the writer indexes them when idle): all read.
      const unindexed = ` UNION ALL SELECT id FROM exchanges WHERE id > (SELECT indexed_through FROM ${SEARCH_STATE_TABLE})`;
      clauses.push(
        `id IN (SELECT rowid FROM ${SEARCH_TABLE} WHERE ${SEARCH_TABLE} MATCH @searchMatch UNION ALL SELECT id FROM exchanges WHERE search_binary = ${SEARCH_PARTIAL}${binary}${unindexed})`,
      );
    }
    clauses.push(
      `(instr(lower(url), lower(@search)) > 0 OR instr(request_headers, @search) > 0 OR instr(response_headers, @search) > 0` +
        ` OR instr(request_body, @searchBytes) > 0 OR instr(response_body, @searchBytes) > 0 OR ${PIECES_HOLD_SEARCH})`,
    );
  }
  if (filter.before) {
    params.beforeAt = filter.before.startedAt;
    params.beforeId = filter.before.id;
    clauses.push('(started_at < @beforeAt OR (started_at = @beforeAt AND id < @beforeId))');
  }
  if (filter.since !== undefined) {
    params.since = filter.since;
    clauses.push('started_at >= @since');
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** The filter options the `list` and `export` commands take, as commander gives them. */
export interface FilterFlags {
  id?: string[];
  host?: string;
  method?: string;
  status?: string;
  search?: string;
  source?: string;
  since?: string;
  limit?: string;
}

/** Checks and converts command-line filter flags; a bad value is a usage error naming the flag. */
export function filterFromFlags(flags: FilterFlags, defaultLimit: number | undefined): HistoryFilter {
  const usage = (message: string) => new CaptureError('USAGE', message);
  const filter: HistoryFilter = {};
  if (flags.id?.length) {
    filter.ids = flags.id.flatMap((value) => value.split(',')).map((value) => {
      if (!/^\d+$/.test(value.trim())) throw usage(`--id expects exchange ids (numbers), got "${value}"`);
      return Number(value);
    });
  }
  if (flags.host) filter.host = flags.host;
  if (flags.method) filter.methods = flags.method.split(',').map((method) => method.trim()).filter(Boolean);
  if (flags.status) {
    filter.statuses = flags.status.split(',').map((status) => status.trim());
    for (const status of filter.statuses) {
      if (!/^([1-5]\d\d|[1-5]xx)$/i.test(status)) throw usage(`--status expects a status code or class such as 404 or 4xx, got "${status}"`);
    }
  }
  if (flags.search) filter.search = flags.search;
  if (flags.source) filter.source = flags.source;
  if (flags.since) {
    const since = parseSince(flags.since);
    if (since === undefined) throw usage(`--since expects a duration such as 10m, 2h, 7d or a date such as 2024-05-01T10:00, got "${flags.since}"`);
    filter.since = since;
  }
  if (flags.limit !== undefined) {
    if (!/^\d+$/.test(flags.limit) || Number(flags.limit) < 1) throw usage(`--limit expects a number of at least 1, got "${flags.limit}"`);
    filter.limit = Number(flags.limit);
  } else if (defaultLimit !== undefined) filter.limit = defaultLimit;
  return filter;
}
