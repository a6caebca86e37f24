import { peerCoreRange, Stage, formatAuthority, type CapturePlugin, type CaptureProxy, type MockResponse } from '@capture/core';
// Type-only (erased at build): types `proxy.plugin('websocket')` through that package's registry entry.
import type { WebSocketApi } from '@capture/plugin-websocket';
import { EventHub } from './event-hub.js';
import { webFlags } from './flags.js';
import { LiveEntry, LiveStore } from './live-store.js';
import { MAX_MESSAGES, toMessageView } from './messages-view.js';
import { resolveWebOptions, type WebOptions } from './options.js';
import { WebServer } from './server.js';
import { generateToken, tokenChecker } from './token.js';
import { ViewApi, type CaptureState } from './view-api.js';
import { ViewGuard } from './view-guard.js';
import { registerViewPort } from './view-registry.js';

/** The plugin's name, also its tap name. */
const NAME = 'web';

/** What the web plugin offers other plugins, through `proxy.plugin('web')?.api`. */
export interface WebApi {
  /** The view's address with its access token, once it listens (`http://127.0.0.1:5556/?token=…`). */
  readonly url: string | undefined;
  /** The port the view listens on, once it does. */
  readonly port: number | undefined;
  /** True while capturing is paused from the view: exchanges are then marked skip with reason `paused`. */
  readonly paused: boolean;
  /** Pauses or resumes capturing (as the view's button does). */
  setPaused(paused: boolean): void;
}

/** Why the proxy refuses a device that asks it for the view. */
const REFUSAL = 'the web view is not reachable through the proxy; open it on the machine running capture';

/** What the proxy answers a device that asks it for the view (the body as the core words a CONNECT refusal). */
const REFUSED: MockResponse = {
  statusCode: 403,
  headers: [['Content-Type', 'text/plain; charset=utf-8'], ['Connection', 'close']],
  body: `capture: ${REFUSAL}\n`,
};

/**
 * Creates the web view: a page on its own port (default 5556, on 127.0.0.1) that lists captured
 * traffic live, shows each exchange in full, exports, saves to a collection, clears history, and
 * pauses capturing. Every request needs the random access token printed at start, and the proxy
 * refuses to carry any request to the view's address.
 */
export function web(options: WebOptions = {}): CapturePlugin<WebApi, WebOptions> {
  const resolved = resolveWebOptions(options);
  const token = resolved.token ?? generateToken();
  const state: CaptureState = { paused: false };
  let server: WebServer | undefined;
  let viewApi: ViewApi | undefined;
  let url: string | undefined;

  const api: WebApi = {
    get url() {
      return url;
    },
    get port() {
      return server?.port;
    },
    get paused() {
      return state.paused;
    },
    setPaused: (paused) => {
      if (viewApi) viewApi.setPaused(paused);
      else state.paused = paused;
    },
  };

  return {
    name: NAME,
    core: peerCoreRange(import.meta.url),
    api,
    flags: webFlags,
    reconfigure: (overrides) => web({ ...options, ...overrides }),
    apply(proxy: CaptureProxy) {
      const live = new LiveStore(resolved.keepInMemory);
      const hub = new EventHub();
      const guard = new ViewGuard();
      let unregister = (): void => undefined;
      const current = new ViewApi(proxy, live, hub, state);
      viewApi = current;

      // Requests for the view through the proxy are refused before filters, transforms or
      // storage see them, and never forwarded. Checked again after every rewrite (a plugin may
      // point a request elsewhere).
      // Synchronous taps: a request whose port is no view's (nearly all) costs core no promise.
      const refuse = (target: string, exchange: { skip?: { reason: string; by: string } }) => {
        if (!guard.mayBeViewUrl(target)) return undefined;
        return guard.isViewUrl(target).then((isView) => {
          if (!isView) return undefined;
          exchange.skip = { reason: 'refused: web view address', by: NAME };
          return REFUSED;
        });
      };
      proxy.hooks.onRequest.tap({ name: NAME, stage: Stage.FIRST }, ({ exchange, outgoing }) => refuse(outgoing.url, exchange));
      proxy.hooks.onRequest.tap({ name: NAME, stage: Stage.LAST }, ({ exchange, outgoing }) => refuse(outgoing.url, exchange));
      // A CONNECT to the view would otherwise be tunnelled (or decrypted, then tunnelled when it is not TLS).
      proxy.hooks.onConnect.tapPromise({ name: NAME, stage: Stage.FIRST }, async (connect) => {
        if (!(await guard.isView(connect.hostname, connect.port))) return undefined;
        connect.refuse(403, REFUSAL);
        return true;
      });
      // The check that cannot be passed by DNS rebinding: every direct upstream connection (pool,
      // HTTP/2, tunnels, upgrades) is asked about with the address it really goes to.
      proxy.hooks.onUpstreamAddress.tap({ name: NAME, stage: Stage.FIRST }, ({ address, port }) => (guard.isViewAddress(address, port) ? REFUSAL : undefined));
      // Paused: nothing is captured, everything is still proxied (and listed as not captured).
      proxy.hooks.onRequest.tap({ name: NAME, stage: Stage.FILTER }, ({ exchange }) => {
        if (state.paused && !exchange.skip) exchange.skip = { reason: 'paused', by: NAME };
        return undefined;
      });

      proxy.hooks.onExchange.tap({ name: NAME, stage: Stage.OBSERVE }, (exchange) => {
        const entry = live.addCaptured(exchange);
        // With no page listening, nothing is built to publish.
        if (hub.size) hub.publish(entry ?? new LiveEntry(exchange));
      });
      proxy.hooks.onSkipped.tap({ name: NAME, stage: Stage.OBSERVE }, (exchange) => {
        // Paused means nothing new shows up; the view's own refusals are not traffic anyone asked to see.
        if (exchange.skip?.by === NAME) return;
        hub.publish(live.addSkipped(exchange));
      });

      proxy.hooks.onListen.tapPromise(NAME, async () => {
        // Looked up once every plugin is applied (the view may come first in the config).
        followWebSockets(proxy, live, hub);
        // History saving responses holds every captured exchange in full: the view keeps only
        // tombstones of them and reads them back from history (after a flush) when asked.
        live.historyHolds = proxy.plugin('history')?.api?.options.saveResponses === true;
        const started = new WebServer({ host: resolved.webHost, port: resolved.webPort, portChosen: resolved.webPortChosen, checkToken: tokenChecker(token), api: current, hub });
        const port = await started.listen();
        server = started;
        guard.bind(resolved.webHost, port);
        // Other captures' proxies refuse to carry requests to this view too.
        unregister = registerViewPort(port);
        const shown = resolved.webHost === '0.0.0.0' || resolved.webHost === '::' ? '127.0.0.1' : resolved.webHost;
        url = `http://${formatAuthority(shown, port)}/?token=${token}`;
      });
      proxy.hooks.onBanner.tap(NAME, (lines) => (url ? [...lines, `web view: ${url}`] : lines));
      // Observers close after storage: rows history still had queued are written first, so a page
      // reading the list while capture stops sees them (onClose runs its taps by stage).
      proxy.hooks.onClose.tapPromise({ name: NAME, stage: Stage.OBSERVE }, async () => {
        await proxy.plugin('history')?.api?.flush();
        unregister();
        guard.close();
        await server?.close();
        server = undefined;
      });
    },
  };
}

/**
 * Open WebSocket connections, live: core completes an upgraded exchange only when its connection
 * closes, so the view lists a connection when the WebSocket plugin opens it and streams its
 * messages as they are kept (after redaction: `onRecorded` runs after `onMessageRecord`). Reached
 * through the plugin's API by name, never its code; without the plugin there is nothing to follow.
 */
function followWebSockets(proxy: CaptureProxy, live: LiveStore, hub: EventHub): void {
  const websocket: WebSocketApi | undefined = proxy.plugin('websocket')?.api;
  const hooks = websocket?.hooks;
  if (!hooks || hooks.onOpened.taps.some((tap) => tap.name === NAME)) return;
  hooks.onOpened.tap({ name: NAME, stage: Stage.OBSERVE }, (exchange, record) => hub.publish(live.addOpen(exchange, record)));
  hooks.onRecorded.tap({ name: NAME, stage: Stage.OBSERVE }, (exchange, message, index) => {
    // Nothing to build while no page listens.
    if (hub.size) hub.publishMessage(`x${exchange.id}`, index, index < MAX_MESSAGES ? toMessageView(message) : undefined);
  });
}
