import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import { AsyncSeriesBailHook, AsyncSeriesHook, SyncBailHook, SyncHook, SyncWaterfallHook } from 'tapable';
import type { UpstreamAddress } from './address-guard.js';
import type { BodySkipReason, ClientInfo, Exchange, HeaderList } from './exchange.js';
import { PluginError, type CaptureError } from './errors.js';
import { interceptTaps } from './hook-intercept.js';
import { routePromiseThroughRunner } from './tap-runner.js';
import type { WebSocketRecord } from './record/websocket-record.js';

/**
 * Conventional `stage` values for taps. Lower stages run first, whatever the order of
 * plugins in the config: filters decide before anything transforms, and transforms
 * happen before storage sees an exchange.
 */
export const Stage = {
  /**
   * Before everything: guards that refuse what must never be forwarded (the web view's own
   * address) and answers for capture itself (its CA page). Lower stages are reserved.
   */
  FIRST: -1000,
  /** Capture filters: decide what is not captured. */
  FILTER: -100,
  /** Plugins that rewrite what is captured (redaction) or answer requests (mocks). */
  TRANSFORM: -50,
  /** The default when a tap gives no stage. */
  DEFAULT: 0,
  /** Storage plugins (history, collections). */
  STORAGE: 100,
  /** Observers that only report (the live log, the web view). */
  OBSERVE: 200,
  /**
   * After everything: checks on the request as every other plugin left it (the web view
   * re-checks a rewritten URL here). Higher stages are reserved.
   */
  LAST: 1000,
} as const;

/** A CONNECT request, offered to `onConnect` taps before the proxy tunnels it blindly. */
export interface ConnectContext {
  /** The CONNECT request; `request.url` is the authority, e.g. `example.com:443`. */
  readonly request: IncomingMessage;
  /** The host the client asked to reach (IPv6 without brackets). */
  readonly hostname: string;
  /** The port the client asked to reach. */
  readonly port: number;
  /** Who asked. */
  readonly client: ClientInfo;
  /**
   * Where the CONNECT came from (`run:npm`, or the client's address). A plugin that hands the
   * decrypted socket to `proxy.handleConnection` passes it on as `ConnectionTarget.source`, so the
   * tunnel's exchanges carry it too.
   */
  readonly source: string;
  /**
   * Answers `200 Connection Established` and hands the client's socket to the caller, with any
   * bytes the client already sent put back in front. A tap that calls this owns the socket and
   * must return `true`.
   */
  accept(): Duplex;
  /**
   * Leaves the tunnel to the proxy, as when no tap takes the CONNECT (for example for hosts a
   * plugin passes through): once the requested host is connected, a client that speaks plain
   * HTTP/1.x first is parsed and captured like any request (`http://` URLs); anything else (TLS,
   * HTTP/2, a server that greets first) is tunnelled blindly and, when it closes, completed as a
   * skipped `CONNECT` exchange (`skip.reason` `tunnelled blindly (TLS)` and the like, sizes are
   * the bytes each way). `socket` defaults to the one `accept()` returned; pass the socket again
   * when bytes were read from it and put back.
   */
  tunnel(socket?: Duplex): void;
  /**
   * Refuses the CONNECT: answers `status` with `message` as a short plain-text body and closes
   * the connection (after `accept()` it can only close). The refusal is completed as an exchange
   * (method `CONNECT`, the authority as `url`, `status` as the response) marked
   * `skip: { reason: 'refused: <message>', by: <this tap's name> }`, so it reaches `onSkipped`
   * (the live log shows it) and never storage. A tap that calls this must return `true`.
   */
  refuse(status: number, message: string): void;
}

/** The request that will be sent upstream; `onRequest` taps may change any field. */
export interface OutgoingRequest {
  /** The method to send. */
  method: string;
  /** The absolute URL to send to, `http:` or `https:`. */
  url: string;
  /** The headers to send (hop-by-hop headers are removed after the hook runs). */
  headers: HeaderList;
}

/** A response a plugin gives instead of the upstream's (a mock). */
export interface MockResponse {
  /** The status code to answer with. */
  statusCode: number;
  /** The reason phrase; the standard one for the code when omitted. */
  statusMessage?: string;
  /** Response headers; `Content-Length` is added for string and Buffer bodies when missing. */
  headers?: HeaderList;
  /** The body: a string (UTF-8), bytes, or a stream that is piped to the client. */
  body?: string | Buffer | Readable;
}

/** What `onRequest` taps receive. */
export interface RequestContext {
  /** The exchange being built; its `request` holds what the client sent. Set `exchange.skip` to not capture it. */
  readonly exchange: Exchange;
  /** What will be sent upstream; change it to rewrite the request. */
  readonly outgoing: OutgoingRequest;
  /** The client's request as Node parsed it; its body has not been read yet. */
  readonly incoming: IncomingMessage;
}

/** The response head that will be sent to the client; `onResponse` taps may change any field. */
export interface OutgoingResponse {
  /** The status code to send. */
  statusCode: number;
  /** The reason phrase to send. */
  statusMessage: string;
  /** The headers to send (hop-by-hop headers are removed after the hook runs). */
  headers: HeaderList;
}

/** What `onResponse` taps receive, once the upstream's response head has arrived. */
export interface ResponseContext {
  /** The exchange being built; `exchange.response` holds the head as the upstream sent it. */
  readonly exchange: Exchange;
  /** What will be sent to the client. */
  readonly outgoing: OutgoingResponse;
  /**
   * Forwards the body but does not capture it, e.g. `'media'` for images, audio and video.
   * The exchange keeps the response headers, status and timings.
   */
  skipBody(reason: BodySkipReason): void;
}

/**
 * An upgraded connection (WebSocket) right after the origin's 101, offered on `onUpgraded`: the
 * tap that returns `true` relays it from then on and calls {@link UpgradedConnection.complete}
 * once it is over; the exchange stays open (in flight) until then.
 */
export interface UpgradedConnection {
  /** The upgrade's exchange (request, 101 response), still open. */
  readonly exchange: Exchange;
  /** The client's socket; the 101 has been written to it. */
  readonly client: Duplex;
  /** The origin's socket; its 101 head has been read. */
  readonly upstream: Duplex;
  /** Bytes the client sent after its request, already read: the relay forwards them first. */
  readonly clientHead: Buffer;
  /** Bytes the origin sent after its 101 head, already read: the relay forwards them first. */
  readonly upstreamHead: Buffer;
  /** The origin's `Sec-WebSocket-Extensions` (what was negotiated), if any. */
  readonly extensions: string | undefined;
  /** Completes the exchange, with its WebSocket record, when the connection is over. Later calls do nothing. */
  complete(websocket: WebSocketRecord): void;
  /**
   * Registers how the tap's relay closes this connection when the proxy closes (`proxy.close()`):
   * it should send close code 1001 (going away) to both sides, end the sockets after a short
   * grace at most, and then {@link UpgradedConnection.complete} as usual (`closedBy: 'proxy'`),
   * so storage gets the exchange before `onClose` runs. Without one, capture ends both sockets.
   */
  onProxyClose(close: () => void): void;
}

/** What `onLocalRequest` taps receive: a request addressed to the proxy itself, not to be forwarded. */
export interface LocalRequestContext {
  /** The request; its URL has been resolved against the proxy's own address. */
  readonly request: IncomingMessage;
  /** The response to write when the tap handles the request. */
  readonly response: ServerResponse;
  /** The path and query of the request, e.g. `/ca.crt`. */
  readonly url: URL;
}

/** A link on the proxy's own information page (what a browser sees at `http://proxy-ip:5555/`). */
export interface InfoPageLink {
  /** Path on the proxy, e.g. `/ca.crt`. */
  href: string;
  /** Short title, e.g. `CA certificate`. */
  title: string;
  /** One sentence explaining it. */
  description: string;
}

/** Where the proxy listens, given to `onListen` taps. */
export interface ListenInfo {
  /** The address bound, e.g. `0.0.0.0` or `127.0.0.1`. */
  host: string;
  /** The port really bound (useful with port 0). */
  port: number;
  /** The proxy's URL as a client on this machine reaches it. */
  url: string;
}

/** Creates the proxy's hooks. Exposed as a function so `ProxyHooks` is exactly its return type. */
export function createProxyHooks() {
  const hooks = {
    /**
     * A CONNECT arrived. Taps may take the client socket over (`ctx.accept()`) and return
     * `true`; when none does, the proxy tunnels it blindly. Async, series, first `true` wins.
     */
    onConnect: new AsyncSeriesBailHook<[ConnectContext], boolean | undefined>(['context']),
    /**
     * A request is about to be sent upstream. Taps may change `ctx.outgoing`, set
     * `ctx.exchange.skip` so it is not captured, or return a `MockResponse` to answer it
     * themselves (later taps then do not run). Async, series, by stage. A tap that throws stops
     * the request: the client gets 502 with a generic body, the detail goes to `onError`.
     */
    onRequest: new AsyncSeriesBailHook<[RequestContext], MockResponse | undefined>(['context']) as MaybeAsyncSeriesBailHook<RequestContext, MockResponse | undefined>,
    /**
     * The upstream's response head arrived and its body has not been read. Taps may change
     * `ctx.outgoing`, skip capturing the body, or set `ctx.exchange.skip`. Async, series, by stage;
     * when every tap is a synchronous `tap` the response starts without a promise or a pause (a
     * `tap` may return a promise when it has to wait: see `tap-runner.ts`).
     */
    onResponse: new AsyncSeriesHook<[ResponseContext]>(['context']),
    /**
     * An upgrade got its 101 and the head was written to the client. The first tap that returns
     * `true` owns both sockets and completes the exchange with `connection.complete(record)`;
     * when none does, the proxy splices the sockets and completes the exchange when they close.
     * Not called for exchanges marked `skip` (spliced, not recorded). A tap that throws closes
     * both sockets and completes the exchange with `PLUGIN_ERROR`. Async, series, by stage.
     */
    onUpgraded: new AsyncSeriesBailHook<[UpgradedConnection], true | undefined>(['connection']),
    /**
     * An upgraded connection (WebSocket) opened: called once per connection right after the 101
     * (or, for RFC 8441, the `:status 200`) was written to the client and before `onUpgraded`
     * runs. The exchange has its request and 101 response but no completion yet; the later
     * `onExchange` for the same connection carries the same `exchange.id`, so a live view or
     * storage can show it as open and update it at close. Not called for exchanges marked `skip`.
     * Sync; observing (a failing tap is reported, the others still run, the connection goes on).
     */
    onExchangeOpened: new SyncHook<[Exchange]>(['exchange']),
    /**
     * An exchange completed and is to be captured: storage plugins listen here. Exchanges that a
     * plugin marked with `skip` go to `onSkipped` instead. Bodies are decoded. Async, series, by
     * stage; the proxy never waits for it before answering clients. Observing: a tap that fails
     * is reported through `onError` and the later taps still get the exchange. A `tap` may return
     * a promise on the exchanges it has work for (later stages wait for it) and `undefined` on the
     * others, which then cost no promise. The bodies are lent until every tap has settled: a
     * plugin that keeps one longer copies it (`Buffer.from(body.bytes)`), since storage may then
     * take a large body's memory (`proxy.afterExchangeSettled`, `canHandOff`).
     */
    onExchange: new AsyncSeriesHook<[Exchange]>(['exchange']),
    /** An exchange completed that a plugin decided not to capture (`exchange.skip` says why). Sync; observing. */
    onSkipped: new SyncHook<[Exchange]>(['exchange']),
    /**
     * capture is about to connect directly to an origin (pooled requests, HTTP/2 sessions,
     * tunnels, upgrades) at `address:port`, the address its own lookup chose (or the literal).
     * A tap returns a sentence to refuse the connection: the exchange or tunnel gets 403 with it
     * (`ADDRESS_REFUSED`). Sync, first answer wins; a tap that throws refuses (fails closed).
     * Not called for connections through an upstream proxy, which resolves the name itself.
     */
    onUpstreamAddress: new SyncBailHook<[UpstreamAddress], string | undefined>(['address']),
    /** A request addressed to the proxy itself. Return `true` when the tap answered it. Async, series. */
    onLocalRequest: new AsyncSeriesBailHook<[LocalRequestContext], boolean | undefined>(['context']),
    /** Collects the links shown on the proxy's own information page. Sync waterfall; a failing tap is reported and skipped. */
    onInfoPage: new SyncWaterfallHook<[InfoPageLink[]]>(['links']),
    /**
     * Collects lines a host prints when the proxy has started (the CLI's start banner), such as
     * the web view's address with its access token: for the person who started capture, never
     * shown to devices (unlike `onInfoPage`). Each tap returns the list with its lines appended.
     * Sync waterfall, a failing tap reported and skipped; hosts call it once `listen()` resolved.
     */
    onBanner: new SyncWaterfallHook<[string[]]>(['lines']),
    /** The proxy is listening. Async, series; a failing tap fails `listen()`, which then closes the proxy. */
    onListen: new AsyncSeriesHook<[ListenInfo]>(['info']),
    /**
     * The proxy closed: flush and release resources. Async, series by stage, so storage
     * (`Stage.STORAGE`) has flushed before observers (`Stage.OBSERVE`) close; observing (one tap
     * failing does not keep the others from closing). After a failed start the taps run last
     * plugin first instead.
     */
    onClose: new AsyncSeriesHook<[]>([]),
    /** A plugin or the proxy failed outside any client's response (e.g. a storage write). Sync. */
    onError: new SyncHook<[CaptureError]>(['error']),
  };
  const report = (error: PluginError): void => {
    try {
      hooks.onError.call(error);
    } catch {
      // An error reporter that throws has nowhere left to report to.
    }
  };
  for (const [hookName, hook] of Object.entries(hooks)) {
    if (hookName === 'onError') continue;
    interceptTaps(hookName, hook, OBSERVING.has(hookName) ? report : undefined);
  }
  // The per-exchange hooks run through core's series runner: no promise when every tap is synchronous.
  routePromiseThroughRunner(hooks.onRequest, true);
  routePromiseThroughRunner(hooks.onResponse, false);
  routePromiseThroughRunner(hooks.onExchange, false);
  return Object.freeze(hooks);
}

/**
 * tapable's `AsyncSeriesBailHook` whose `tap` may also return a promise of its answer: the
 * maybe-async form core's series runner waits for (`tap-runner.ts`), typed for `onRequest`, so a
 * tap that answers only some requests returns `undefined` at once for the others.
 */
export type MaybeAsyncSeriesBailHook<T, R> = Omit<AsyncSeriesBailHook<[T], R>, 'tap'> & {
  /** Registers a tap that returns its answer (`undefined` to go on), or a promise of it. */
  tap(options: Parameters<AsyncSeriesBailHook<[T], R>['tap']>[0], fn: (arg: T) => R | Promise<R>): void;
};

/** The proxy's typed hooks, declared in one place: the whole extension surface. */
export type ProxyHooks = ReturnType<typeof createProxyHooks>;

/**
 * Hooks whose taps only watch (store, show, collect lines): one failing tap is reported and
 * skipped, the others still run (mitmproxy calls the other addons after one raises), so a broken
 * sink never hides an exchange from history or the live log. The other hooks decide something
 * (answer, forward, refuse), so their first failure stops the call and the proxy answers it.
 */
const OBSERVING: ReadonlySet<string> = new Set(['onExchange', 'onExchangeOpened', 'onSkipped', 'onClose', 'onBanner', 'onInfoPage']);

export { kActiveTap } from './hook-intercept.js';

/** True when a hook has taps. `hook.isUsed()` is always true here: the interceptors count as use. */
export function hasTaps(hook: { taps: readonly unknown[] }): boolean {
  return hook.taps.length > 0;
}
