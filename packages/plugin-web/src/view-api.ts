import { CaptureError, type CaptureProxy } from '@capture/core';
// Type-only imports (erased at build): they type `proxy.plugin(name)` through each package's
// `PluginRegistry` entry. The view never loads another plugin's code; it asks the proxy for it.
import type { CollectionsApi } from '@capture/plugin-collections';
import type { FiltersApi } from '@capture/plugin-filters';
import type { HistoryApi } from '@capture/plugin-history';
import type { OpenApiApi } from '@capture/plugin-openapi';
import { createCollection, postmanSkipReason, toPostmanItem } from '@capture/postman-format';
import type { EventHub } from './event-hub.js';
import type { LiveStore, Tombstone } from './live-store.js';
import type { ExchangeDetail, ExchangeSummary, ListResponse, OpenApiOperationView, SettingsView } from './protocol.js';
import { isEmptyQuery, parseQuery, queryMatcher, toHistoryFilter } from './search.js';
import { detailOf, fromStoredExchange, summaryOfHistoryRow, type ViewExchange } from './view-model.js';

/**
 * Rows a list returns when the page does not say: a screenful many times over, and small enough
 * that the first page of a million-row history reads, crosses threads and serialises in well under
 * 200 ms; the page asks for older ones (`before`) as the reader scrolls down to them.
 */
export const DEFAULT_LIST_LIMIT = 1000;
/** Most rows one list returns. */
export const MAX_LIST_LIMIT = 50_000;

/** Where a page of the list starts: after the row with this start time (epoch ms) and view id. */
export interface ListCursor {
  startedAt: number;
  /** The row's view id (`h12`, `x3`): rows that started at the same time come after it when their number is lower (the list's order); absent: none of them. */
  id?: string;
}

/** The export formats offered as downloads. */
export type DownloadFormat = 'har' | 'postman' | 'openapi';

/** How an OpenAPI export is written. */
export type OpenApiTextFormat = 'yaml' | 'json';

/** Exchanges of the filtered list an operation view infers its operation from (besides the one opened). */
const OPERATION_SAMPLE_LIMIT = 2000;

/** What the view says when the OpenAPI plugin is not running. */
export const OPENAPI_MISSING = 'OpenAPI needs @capture/plugin-openapi in the config (add openapi() to its plugins)';

/** A file to download. */
export interface Download {
  filename: string;
  contentType: string;
  body: string;
  /** Exchanges the file holds. */
  count: number;
  /** Exchanges left out because the format cannot represent them (an empty URL): an export never fails whole. */
  skipped: number;
}

/** The capture state the view controls. */
export interface CaptureState {
  paused: boolean;
}

/**
 * What the view's HTTP API does, apart from HTTP: lists merge history with what the view saw
 * live, details and exports find an exchange wherever it is, actions go through the other
 * plugins' APIs (looked up when asked: plugins are applied in order, and the view may come
 * first). Errors are `CaptureError`s whose code the server maps to a status.
 */
export class ViewApi {
  readonly #proxy: CaptureProxy;
  readonly #live: LiveStore;
  readonly #hub: EventHub;
  readonly #state: CaptureState;

  constructor(proxy: CaptureProxy, live: LiveStore, hub: EventHub, state: CaptureState) {
    this.#proxy = proxy;
    this.#live = live;
    this.#hub = hub;
    this.#state = state;
  }

  #history(): HistoryApi | undefined {
    return this.#proxy.plugin('history')?.api;
  }

  #collections(): CollectionsApi | undefined {
    return this.#proxy.plugin('collections')?.api;
  }

  #filters(): FiltersApi | undefined {
    return this.#proxy.plugin('filters')?.api;
  }

  #openapi(): OpenApiApi {
    const openapi = this.#proxy.plugin('openapi')?.api;
    if (!openapi) throw new CaptureError('NOT_FOUND', OPENAPI_MISSING);
    return openapi;
  }

  /**
   * The newest exchanges matching a search, newest first: history's rows, the captured ones the
   * view saw that history has not written yet (or all of them without history), and the ones
   * not captured (filtered, paused), which only the view keeps. With `before` (a listed row's
   * start and view id), the next page: the rows listed after that one.
   */
  async list(search: string | null, limit = DEFAULT_LIST_LIMIT, before?: ListCursor): Promise<ListResponse> {
    const query = parseQuery(search);
    const queryMatches = queryMatcher(query);
    // On a later page, only the rows the list's order puts after the cursor's row.
    const after = (startedAt: number, id: string) => !before || startedAt < before.startedAt || (startedAt === before.startedAt && before.id !== undefined && order(id) < order(before.id));
    const matches = before ? (view: ViewExchange) => after(view.timings.startedAt, view.viewId) && queryMatches(view) : queryMatches;
    const history = this.#history();
    const rows: ExchangeSummary[] = [];
    let cutAt = -Infinity;
    const historyBefore = before ? { before: { startedAt: before.startedAt, id: before.id === undefined ? 0 : order(before.id) } } : {};
    // How many of each (start, method, URL) history returned: those live entries are already listed.
    const inHistory = new Map<string, number>();
    // History's rows of WebSocket connections written while open, by the same key.
    const openInHistory = new Map<string, ExchangeSummary>();
    if (history) {
      // Captured exchanges live in history only: the rows it still has queued are written first.
      if (this.#live.historyHolds) await history.flush();
      // Off the proxy's thread: a search over a big history never holds proxied requests.
      const found = await history.listAsync({ ...toHistoryFilter(query), ...historyBefore, limit: limit + 1 });
      if (found.length > limit) cutAt = found[limit - 1]!.startedAt;
      for (const row of found.slice(0, limit)) {
        const summary = summaryOfHistoryRow(row);
        rows.push(summary);
        if (row.open) openInHistory.set(`${row.startedAt}|${row.method}|${row.url}`, summary);
        const key = `${row.startedAt}|${row.method}|${row.url}`;
        inHistory.set(key, (inHistory.get(key) ?? 0) + 1);
      }
    }
    for (const entry of this.#live.captured()) {
      if (entry.startedAt < cutAt || !matches(entry.view)) continue;
      const key = `${entry.startedAt}|${entry.view.request.method}|${entry.view.request.url}`;
      const seen = inHistory.get(key);
      if (seen) {
        inHistory.set(key, seen - 1);
        continue;
      }
      rows.push(entry.summary);
    }
    // Open WebSocket connections: the view's live row (its messages as they come) stands for
    // history's row of the same connection, written when it opened.
    for (const entry of this.#live.open()) {
      if (entry.startedAt < cutAt || !matches(entry.view)) continue;
      const key = `${entry.startedAt}|${entry.view.request.method}|${entry.view.request.url}`;
      const stored = openInHistory.get(key);
      if (stored) rows.splice(rows.indexOf(stored), 1);
      openInHistory.delete(key);
      rows.push(entry.summary);
    }
    for (const entry of this.#live.skipped()) if (entry.startedAt >= cutAt && ((isEmptyQuery(query) && !before) || matches(entry.view))) rows.push(entry.summary);
    rows.sort((a, b) => b.startedAt - a.startedAt || order(b.id) - order(a.id));
    return { exchanges: rows.slice(0, limit), more: rows.length > limit || cutAt > -Infinity };
  }

  /** One exchange in full, or undefined. */
  async detail(id: string): Promise<ExchangeDetail | undefined> {
    const found = await this.find(id);
    return found && detailOf(found);
  }

  /** Finds an exchange by view id: in history (`h…`), in memory (`x…`), or in history by what a tombstone remembers. */
  async find(id: string): Promise<ViewExchange | undefined> {
    const number = Number(id.slice(1));
    if (!/^[hx]\d+$/.test(id)) return undefined;
    if (id.startsWith('h')) {
      const stored = await this.#history()?.getAsync(number);
      return stored && fromStoredExchange(stored);
    }
    const entry = this.#live.get(id);
    if (entry) return entry.view;
    const tombstone = this.#live.tombstone(id);
    return tombstone && this.#findInHistory(tombstone);
  }

  /** Finds exchanges by view ids, oldest first; an id that is gone is a `NOT_FOUND` error naming it. */
  async resolve(ids: readonly string[]): Promise<ViewExchange[]> {
    const found: ViewExchange[] = [];
    for (const id of ids) {
      const exchange = await this.find(id);
      if (!exchange) throw new CaptureError('NOT_FOUND', `exchange ${id} is no longer available (history cleared or pruned?)`);
      found.push(exchange);
    }
    return found.sort((a, b) => a.timings.startedAt - b.timings.startedAt);
  }

  /**
   * Exchanges as a HAR 1.2 file (through history's exporter), a Postman Collection v2.1.0, or an
   * OpenAPI document inferred by the OpenAPI plugin (YAML or JSON).
   */
  async export(format: DownloadFormat, ids: readonly string[], name = 'capture export', textFormat: OpenApiTextFormat = 'yaml'): Promise<Download> {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/-\d+Z$/, 'Z');
    if (format === 'openapi') {
      const openapi = this.#openapi();
      const exchanges = await this.resolve(ids);
      // Exchanges the view saw but did not capture (filtered, paused) are not the API's traffic.
      const captured = exchanges.filter((exchange) => !exchange.skipped);
      const document = openapi.generate(captured);
      const body = openapi.render(document, textFormat);
      const contentType = textFormat === 'json' ? 'application/json; charset=utf-8' : 'application/yaml; charset=utf-8';
      return { filename: `openapi-${stamp}.${textFormat === 'json' ? 'json' : 'yaml'}`, contentType, body: body.endsWith('\n') ? body : `${body}\n`, count: captured.length, skipped: exchanges.length - captured.length };
    }
    const exchanges = await this.resolve(ids);
    if (format === 'har') {
      const history = this.#history();
      if (!history) throw new CaptureError('UNAVAILABLE', 'HAR export needs the history plugin (@capture/plugin-history)');
      const har = history.renderCounted('har', exchanges);
      return { filename: `capture-${stamp}.har`, contentType: 'application/json; charset=utf-8', body: har.text, count: har.exported, skipped: har.skipped };
    }
    const representable = exchanges.filter((exchange) => !postmanSkipReason(exchange.request));
    // A failed exchange's response is the proxy's own 502/504, not the server's: no example for it.
    const items = representable.map((exchange) => toPostmanItem(exchange, { saveResponse: !exchange.error }));
    const collection = createCollection({ name, description: 'Exported from the capture web view.', items });
    const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'capture';
    return { filename: `${slug}.postman_collection.json`, contentType: 'application/json; charset=utf-8', body: `${JSON.stringify(collection, null, 2)}\n`, count: items.length, skipped: exchanges.length - items.length };
  }

  /**
   * The OpenAPI operation an exchange belongs to (method and templated path), inferred from it
   * and the captured exchanges of the same origin in the list for `search`, so `/users/1` next to
   * `/users/2` shows as `/users/{userId}`.
   */
  async operation(id: string, search: string | null): Promise<OpenApiOperationView> {
    const openapi = this.#openapi();
    const [exchange] = await this.resolve([id]);
    if (exchange!.skipped) throw new CaptureError('BAD_REQUEST', `exchange ${id} was not captured (${exchange!.skipped}): it is not part of the API document`);
    const url = safeUrl(exchange!.request.url);
    if (!url || !/^https?:$/.test(url.protocol)) throw new CaptureError('BAD_REQUEST', `exchange ${id} has no http(s) URL: OpenAPI cannot describe it`);
    const samples: ViewExchange[] = [exchange!];
    // Not the exchange itself, under either of its ids: a live one history has written since is listed by its history id.
    const itself = (row: ExchangeSummary) => row.id === id || (row.startedAt === exchange!.timings.startedAt && row.method === exchange!.request.method && row.url === exchange!.request.url);
    const rows = (await this.list(search, OPERATION_SAMPLE_LIMIT)).exchanges.filter((row) => !itself(row) && !row.flags.skipped && row.host === url.host);
    // History's rows in one read, the live ones from memory.
    const stored = rows.filter((row) => row.id.startsWith('h')).map((row) => Number(row.id.slice(1)));
    const candidates: Array<ViewExchange | undefined> = stored.length ? ((await this.#history()?.exchangesAsync({ ids: stored })) ?? []).map(fromStoredExchange) : [];
    for (const row of rows) if (row.id.startsWith('x')) candidates.push(await this.find(row.id));
    for (const found of candidates) if (found && !found.skipped && safeUrl(found.request.url)?.origin === url.origin) samples.push(found);
    const document = openapi.generate(samples);
    const method = exchange!.request.method.toLowerCase();
    for (const [template, item] of Object.entries(document.paths ?? {})) {
      const operation = (item as Record<string, unknown> | undefined)?.[method];
      if (!operation || !templateMatches(template, url.pathname)) continue;
      return { method: method.toUpperCase(), path: template, server: url.origin, operation, samples: samples.length };
    }
    throw new CaptureError('NOT_FOUND', `no OpenAPI operation describes ${exchange!.request.method} ${url.pathname} (OpenAPI has no operation for this method?)`);
  }

  /** One exchange as a curl command line (history's exporter). */
  async curl(id: string): Promise<string> {
    const history = this.#history();
    if (!history) throw new CaptureError('UNAVAILABLE', 'copy as curl needs the history plugin (@capture/plugin-history)');
    return history.render('curl', await this.resolve([id])).trim();
  }

  /** Appends exchanges to a named collection through the collections plugin. */
  async saveToCollection(name: string, ids: readonly string[]): Promise<{ file: string; added: number }> {
    const collections = this.#collections();
    if (!collections) {
      throw new CaptureError('UNAVAILABLE', 'saving to a collection needs the collections plugin: start capture with --collection NAME (or --save-to collection)');
    }
    return collections.save(name, await this.resolve(ids));
  }

  /** Deletes history (on history's writer thread, so proxied requests are not held) and what the view holds, and tells every open page. */
  async clear(): Promise<{ deleted: number }> {
    const deleted = (await this.#history()?.clearAsync()) ?? 0;
    this.#live.clear();
    this.#hub.broadcast('cleared', {});
    return { deleted };
  }

  /** Pauses or resumes capturing and tells every open page. */
  setPaused(paused: boolean): { paused: boolean } {
    this.#state.paused = paused;
    this.#hub.broadcast('paused', { paused });
    return { paused };
  }

  /** The running capture settings. */
  settings(): SettingsView {
    const history = this.#history();
    const collections = this.#collections();
    const filters = this.#filters();
    const info = this.#proxy.listenInfo;
    const saveResponses: Record<string, boolean> = {};
    if (history) saveResponses.history = history.options.saveResponses;
    if (collections) saveResponses.collection = collections.options.saveResponses;
    return {
      proxy: { host: info?.host ?? this.#proxy.config.host, port: info?.port ?? null, url: info?.url ?? null, mode: this.#proxy.mode.description },
      saveTo: [...(history ? ['history'] : []), ...(collections ? ['collection'] : [])],
      saveResponses,
      ...(filters
        ? {
            filters: {
              excludeAssets: filters.options.excludeAssets,
              include: filters.options.include.map((pattern) => pattern.source),
              exclude: filters.options.exclude.map((pattern) => pattern.source),
              methods: [...filters.options.methods],
            },
          }
        : {}),
      ...(collections ? { collection: { name: collections.options.name, groupBy: [...collections.options.groupBy], file: collections.file ?? null } } : {}),
      ...(history ? { history: { file: history.file ?? null, maxEntries: history.options.maxEntries } } : {}),
      paused: this.#state.paused,
      can: {
        exportHar: Boolean(history),
        exportPostman: true,
        exportOpenApi: Boolean(this.#proxy.plugin('openapi')?.api),
        curl: Boolean(history),
        saveToCollection: Boolean(collections),
        clear: true,
      },
      plugins: this.#proxy.plugins.map((plugin) => plugin.name),
    };
  }

  async #findInHistory(tombstone: Tombstone): Promise<ViewExchange | undefined> {
    const history = this.#history();
    if (!history) return undefined;
    // A just-captured exchange may still be queued for history's writer.
    await history.flush();
    const candidates = await history.listAsync({ since: tombstone.startedAt, methods: [tombstone.method], search: tombstone.url, limit: 1000 });
    const row = candidates.reverse().find((candidate) => candidate.startedAt === tombstone.startedAt && candidate.url === tombstone.url);
    const stored = row && (await history.getAsync(row.id));
    return stored && fromStoredExchange(stored);
  }
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** True when a templated OpenAPI path (`/users/{userId}`) describes a concrete path. */
export function templateMatches(template: string, pathname: string): boolean {
  const pattern = template
    .split(/(\{[^}]+\})/)
    .map((part) => (/^\{[^}]+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const trim = (value: string) => (value.length > 1 ? value.replace(/\/+$/, '') : value);
  return new RegExp(`^${pattern}$`).test(trim(pathname)) || new RegExp(`^${pattern}$`).test(pathname);
}

/** Orders ids that started in the same millisecond: by number, live after stored. */
function order(id: string): number {
  return Number(id.slice(1));
}
