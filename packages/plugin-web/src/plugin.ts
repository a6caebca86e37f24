import { Stage, type CapturePlugin, type CaptureProxy, type MockResponse } from '@capture/core';
import { EventHub } from './event-hub.js';
import { LiveStore } from './live-store.js';
import { resolveWebOptions, type WebOptions } from './options.js';
import { peersOf } from './peers.js';
import { WebServer } from './server.js';
import { generateToken, tokenChecker } from './token.js';
import { ViewApi, type CaptureState } from './view-api.js';
import { ViewGuard } from './view-guard.js';

/** The plugin's name, also its tap name. */
const NAME = 'web';

/** What the web plugin offers other plugins, through `proxy.plugin<WebApi>('web')?.api`. */
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

/** What the proxy answers a device that asks it for the view. */
const REFUSED: MockResponse = {
  statusCode: 403,
  headers: [['Content-Type', 'text/plain; charset=utf-8'], ['Connection', 'close']],
  body: 'capture: the web view is not reachable through the proxy; open it on the machine running capture\n',
};

/**
 * Creates the web view: a page on its own port (default 5556, on 127.0.0.1) that lists captured
 * traffic live, shows each exchange in full, exports, saves to a collection, clears history, and
 * pauses capturing. Every request needs the random access token printed at start, and the proxy
 * refuses to carry any request to the view's address.
 */
export function web(options: WebOptions = {}): CapturePlugin<WebApi> {
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
    api,
    reconfigure: (overrides) => web({ ...options, ...overrides } as WebOptions),
    apply(proxy: CaptureProxy) {
      const live = new LiveStore(resolved.keepInMemory);
      const hub = new EventHub();
      const guard = new ViewGuard();
      const current = new ViewApi(proxy, peersOf(proxy), live, hub, state);
      viewApi = current;

      // Requests for the view through the proxy are refused before filters, transforms or
      // storage see them, and never forwarded. Checked again after every rewrite (a plugin may
      // point a request elsewhere).
      const refuse = async (target: string, exchange: { skip?: { reason: string; by: string } }) => {
        if (!(await guard.isViewUrl(target))) return undefined;
        exchange.skip = { reason: 'refused: web view address', by: NAME };
        return REFUSED;
      };
      proxy.hooks.onRequest.tapPromise({ name: NAME, stage: Stage.FILTER - 60 }, ({ exchange, outgoing }) => refuse(outgoing.url, exchange));
      proxy.hooks.onRequest.tapPromise({ name: NAME, stage: Number.MAX_SAFE_INTEGER }, ({ exchange, outgoing }) => refuse(outgoing.url, exchange));
      // A CONNECT to the view would otherwise be tunnelled (or decrypted, then tunnelled when it is not TLS).
      proxy.hooks.onConnect.tapPromise({ name: NAME, stage: Stage.FILTER }, async ({ request, hostname, port }) => {
        if (!(await guard.isView(hostname, port))) return undefined;
        const body = String(REFUSED.body);
        request.socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
        return true;
      });
      // Paused: nothing is captured, everything is still proxied (and listed as not captured).
      proxy.hooks.onRequest.tap({ name: NAME, stage: Stage.FILTER }, ({ exchange }) => {
        if (state.paused && !exchange.skip) exchange.skip = { reason: 'paused', by: NAME };
        return undefined;
      });

      proxy.hooks.onExchange.tap({ name: NAME, stage: Stage.OBSERVE }, (exchange) => hub.publish(live.addCaptured(exchange)));
      proxy.hooks.onSkipped.tap({ name: NAME, stage: Stage.OBSERVE }, (exchange) => {
        // Paused means nothing new shows up; the view's own refusals are not traffic anyone asked to see.
        if (exchange.skip?.by === NAME) return;
        hub.publish(live.addSkipped(exchange));
      });

      proxy.hooks.onListen.tapPromise(NAME, async () => {
        const started = new WebServer({ host: resolved.webHost, port: resolved.webPort, portChosen: resolved.webPortChosen, checkToken: tokenChecker(token), api: current, hub });
        const port = await started.listen();
        server = started;
        guard.bind(resolved.webHost, port);
        const shown = resolved.webHost === '0.0.0.0' || resolved.webHost === '::' ? '127.0.0.1' : resolved.webHost;
        url = `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}/?token=${token}`;
      });
      proxy.hooks.onBanner.tap(NAME, (lines) => (url ? [...lines, `web view: ${url}`] : lines));
      proxy.hooks.onClose.tapPromise(NAME, async () => {
        await server?.close();
        server = undefined;
      });
    },
  };
}
