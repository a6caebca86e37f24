import type { CaptureProxy } from '@capture/core';

// What the web view uses of other plugins' APIs, written as the shapes it expects rather than
// imported from their packages: plugins meet through `proxy.plugin(name)?.api`, never through
// each other's files, and a missing method (an older plugin) only turns one action off.

/** A header list as the other plugins give it. */
type Headers = Array<[string, string]>;

/** A stored body (history's `StoredBody`). */
export interface PeerBody {
  bytes: Buffer;
  size: number;
  truncated: boolean;
  contentEncoding?: string;
  decoded: boolean;
}

/** A whole exchange as history stores it (history's `StoredExchange`); the view converts live exchanges to it too. */
export interface PeerStoredExchange {
  id: number;
  client: { address: string; port: number | undefined };
  tls: boolean;
  mocked: boolean;
  request: { method: string; url: string; host: string; httpVersion: string; headers: Headers; body?: PeerBody; bodySize: number; bodySkipped?: string };
  response?: { statusCode: number; statusMessage: string; httpVersion: string; headers: Headers; body?: PeerBody; bodySize: number; bodySkipped?: string };
  error?: { code: string; message: string };
  timings: { startedAt: number; total: number; firstByte?: number };
}

/** A row of history's list (history's `HistorySummary`; the later fields may be missing on older versions). */
export interface PeerHistorySummary {
  id: number;
  startedAt: number;
  method: string;
  url: string;
  host: string;
  status: number | null;
  errorCode: string | null;
  size: number | null;
  duration: number;
  contentType?: string | null;
  bodySkipped?: string | null;
  truncated?: boolean;
  tls?: boolean;
  mocked?: boolean;
}

/** History's filter. */
export interface PeerHistoryFilter {
  ids?: number[];
  methods?: string[];
  statuses?: string[];
  search?: string;
  since?: number;
  limit?: number;
}

/** The history plugin's API (`proxy.plugin('history')?.api`). */
export interface HistoryPeer {
  readonly options?: { saveResponses?: boolean; maxEntries?: number };
  readonly file?: string;
  list(filter?: PeerHistoryFilter): PeerHistorySummary[];
  get(id: number): PeerStoredExchange | undefined;
  render?(format: 'har' | 'postman' | 'curl', exchanges: Iterable<PeerStoredExchange>, name?: string): string;
  clear?(): number;
}

/** The collections plugin's API. */
export interface CollectionsPeer {
  readonly options?: { name?: string; groupBy?: readonly string[]; saveResponses?: boolean };
  readonly file?: string;
  save?(name: string, exchanges: Iterable<PeerStoredExchange>): Promise<{ file: string; added: number }>;
}

/** The filters plugin's API. */
export interface FiltersPeer {
  readonly options?: { excludeAssets?: boolean; include?: ReadonlyArray<{ source: string }>; exclude?: ReadonlyArray<{ source: string }>; methods?: readonly string[] };
}

/** The plugins the view works with, looked up when asked (plugins are applied in order; the view may come first). */
export interface Peers {
  history(): HistoryPeer | undefined;
  collections(): CollectionsPeer | undefined;
  filters(): FiltersPeer | undefined;
}

/** Finds the peers on a proxy, checking that each API has what the view calls. */
export function peersOf(proxy: CaptureProxy): Peers {
  return {
    history: () => {
      const api = proxy.plugin<HistoryPeer>('history')?.api;
      return api && typeof api.list === 'function' && typeof api.get === 'function' ? api : undefined;
    },
    collections: () => proxy.plugin<CollectionsPeer>('collections')?.api,
    filters: () => proxy.plugin<FiltersPeer>('filters')?.api,
  };
}
