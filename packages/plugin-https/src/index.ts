import { X509Certificate } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { CaptureError, peerCoreRange, PluginError, Stage, hostMatcher, type CapturePlugin, type InfoPageLink } from '@capture/core';
import { caInfo, type CaInfo } from './ca-info.js';
import { ensureCa } from './ca-store.js';
import { CaReloader } from './ca-reload.js';
import { CertificateCache } from './certificate-cache.js';
import { caCommands } from './commands.js';
import { answerDownloadRequest, caDownloads, CA_PAGE_HOST, CA_PAGE_PATH, notFound, type CaDownloads, type LocalAnswer } from './download-page.js';
import { HandshakeFailures, type HttpsStats } from './handshake-failures.js';
import { httpsFlags } from './flags.js';
import { createConnectTap } from './intercept.js';
import { IssuanceQueue, NEW_HOSTS_PER_CLIENT } from './issuance-queue.js';
import { OriginProtocols } from './alpn.js';
import { PLUGIN_NAME as NAME, resolveHttpsOptions, type HttpsOptions } from './options.js';

export type { HttpsOptions, ResolvedHttpsOptions } from './options.js';
export type { CaInfo } from './ca-info.js';
export { spkiSha256 } from './ca-info.js';
export type { HttpsStats } from './handshake-failures.js';
// Passthrough entries are core's host patterns; the type is re-exported so existing imports keep working.
export type { HostPattern } from '@capture/core';
export { resolveHttpsOptions, PLUGIN_NAME } from './options.js';
export { httpsFlags } from './flags.js';
export { ISSUANCES_PER_CLIENT, NEW_HOSTS_PER_CLIENT } from './issuance-queue.js';
export { CA_PAGE_HOST, CA_PAGE_PATH, ANDROID_NETWORK_SECURITY_CONFIG } from './download-page.js';
export { caPaths, CA_FOLDER, CA_CERT_FILE, CA_KEY_FILE, type CaPaths } from './ca-files.js';

declare module '@capture/core' {
  interface PluginRegistry {
    /** `proxy.plugin('https')?.api` is an {@link HttpsApi}. */
    https: { api: HttpsApi; options: HttpsOptions };
  }
}

/**
 * What the plugin offers other plugins, as `proxy.plugin('https')?.api` (and
 * `context.plugin('https')?.api` in commands): the CA is the https plugin's, and other plugins
 * (os-certs' installers) ask for it here instead of knowing where its files are.
 */
export interface HttpsApi {
  /** The CA in use, once the plugin is applied to a proxy. */
  readonly ca: CaInfo | undefined;
  /**
   * Loads the CA of a data folder, creating it if there is none (for commands, which run without
   * a proxy): its certificate path, PEM, DER, fingerprint and names, never the key.
   */
  ensureCa(dataDir: string): Promise<CaInfo>;
  /** What happened to CONNECT tunnels so far. */
  readonly stats: Readonly<HttpsStats>;
  /** How many per-host certificates were issued so far. */
  readonly certificatesIssued: number;
  /**
   * How many new hosts' connections wait for their client's turn to be issued a certificate
   * (each client has at most `NEW_HOSTS_PER_CLIENT` new hosts' handshakes and
   * `ISSUANCES_PER_CLIENT` issuances in flight).
   */
  readonly certificatesWaiting: number;
  /** The PEM certificate served for a host, issuing it if needed (after apply). */
  certificateFor(hostname: string): Promise<string>;
}

/**
 * HTTPS interception: terminates TLS inside CONNECT tunnels with per-host certificates signed
 * by capture's CA (`<data>/proxy/capture-proxy-ca.crt`), so HTTPS requests run through the same
 * hooks as plain HTTP with `https://` URLs. Serves the CA download page at `http://capture.proxy/`
 * and adds `capture ca path|show|export|regenerate`.
 */
export default function https(options: HttpsOptions = {}): CapturePlugin<HttpsApi, HttpsOptions> {
  const resolved = resolveHttpsOptions(options);
  const stats: HttpsStats = { intercepted: 0, http2: 0, passedThrough: 0, rejected: 0, failed: 0 };
  let current: { info: CaInfo; downloads: CaDownloads; certificates: CertificateCache; newHosts: IssuanceQueue } | undefined;
  const api: HttpsApi = {
    get ca() {
      return current?.info;
    },
    ensureCa: async (dataDir) => caInfo((await ensureCa(dataDir)).ca),
    stats,
    get certificatesIssued() {
      return current?.certificates.issued ?? 0;
    },
    get certificatesWaiting() {
      return current ? current.newHosts.waiting + current.certificates.waiting : 0;
    },
    certificateFor(hostname) {
      if (!current) return Promise.reject(new PluginError(NAME, 'certificateFor', new CaptureError('PLUGIN_NOT_APPLIED', 'certificateFor() needs the plugin applied to a proxy')));
      return current.certificates.certificateFor(hostname);
    },
  };

  return {
    name: NAME,
    core: peerCoreRange(import.meta.url),
    api,
    commands: caCommands(),
    flags: httpsFlags,
    reconfigure: (overrides: Partial<HttpsOptions>) => https({ ...options, ...overrides }),
    async apply(proxy, context) {
      // Bad upstreamCa files fail the start before anything is created.
      const upstreamCa = await readUpstreamCa(resolved.upstreamCa);
      const { ca } = await ensureCa(proxy.dataDir);
      const info = caInfo(ca);
      const certificates = new CertificateCache(ca, { max: resolved.certificateCacheSize });
      const state = { info, downloads: caDownloads(info), certificates, newHosts: new IssuanceQueue(NEW_HOSTS_PER_CLIENT) };
      current = state;
      // `capture ca regenerate` from another process: sign with and serve the new CA at once.
      const reloader = new CaReloader(ca, {
        onChange(next) {
          certificates.setCa(next);
          state.info = caInfo(next);
          state.downloads = caDownloads(state.info);
        },
        report: (error) => context.report(error, 'onConnect'),
      });
      await reloader.start();
      proxy.hooks.onClose.tapPromise(NAME, async () => reloader.close());
      if (upstreamCa.length || resolved.insecureUpstream) {
        // The config's `rejectUnauthorized: false` still turns verification off.
        proxy.setUpstreamTls({ ca: upstreamCa, rejectUnauthorized: !resolved.insecureUpstream && proxy.config.rejectUnauthorized });
      }
      // Read when the banner is printed, so it tells what the proxy really does (the config's
      // `rejectUnauthorized: false` turns verification off too).
      proxy.hooks.onBanner.tap(NAME, (lines) => (proxy.upstreamTlsVerified ? lines : [...lines, INSECURE_WARNING]));

      // Handshake and certificate failures have no response to go to: the context names the plugin.
      const report = (error: CaptureError) => context.report(error, 'onConnect');
      const failures = new HandshakeFailures(stats, report);
      // Handshake failures held back for the summary are told before the proxy goes.
      proxy.hooks.onClose.tap(NAME, () => failures.flush());
      proxy.hooks.onConnect.tapPromise(NAME, createConnectTap({ proxy, certificates, refreshCa: () => reloader.check(), passthrough: hostMatcher(resolved.passthrough), ...(resolved.http2 ? { origins: new OriginProtocols((host, port) => proxy.connectUpstreamAhead(host, port)) } : {}), failures, newHosts: state.newHosts, stats, report }));

      const link: InfoPageLink = { href: CA_PAGE_PATH, title: 'CA certificate', description: `install it to capture HTTPS from a device (also at http://${CA_PAGE_HOST}/)` };
      proxy.hooks.onInfoPage.tap(NAME, (links) => [...links, link]);
      const otherLinks = () => proxy.hooks.onInfoPage.call([]).filter((entry) => entry !== link);

      // Requests to the proxy's own address.
      proxy.hooks.onLocalRequest.tapPromise(NAME, async ({ request, response, url }) => {
        const answer = await answerDownloadRequest({ method: request.method ?? 'GET', pathname: url.pathname, accept: request.headers.accept }, state.downloads, otherLinks());
        if (!answer) return undefined;
        response.writeHead(answer.statusCode, answer.headers.flat());
        response.end(request.method === 'HEAD' ? undefined : answer.body);
        return true;
      });
      // `http://capture.proxy/` (and https through interception) arrives as a proxied request:
      // answer it here, before filters and storage, and never forward it.
      proxy.hooks.onRequest.tap({ name: NAME, stage: Stage.FIRST }, ({ exchange, incoming }) => {
        // Nearly every request is for some origin: a substring test spares it a URL parse and a
        // promise (a synchronous tap keeps core's hot path free of awaits).
        if (!CA_PAGE_URL_HINT.test(exchange.request.url)) return undefined;
        const url = parseUrl(exchange.request.url);
        if (url?.hostname !== CA_PAGE_HOST) return undefined;
        exchange.skip = { reason: `${CA_PAGE_HOST} page`, by: NAME };
        const method = incoming.method ?? 'GET';
        return answerDownloadRequest({ method, pathname: url.pathname, accept: incoming.headers.accept }, state.downloads, otherLinks()).then((found) => {
          const answer: LocalAnswer = found ?? notFound(url.pathname);
          return { statusCode: answer.statusCode, headers: answer.headers, body: method === 'HEAD' ? undefined : answer.body };
        });
      });
    },
  };
}

/** Any URL naming the CA page's host has this in it (any case); the parse then decides. */
const CA_PAGE_URL_HINT = /capture\.proxy/i;

/** The start banner's line when upstream certificates are not verified (`--insecure`). */
export const INSECURE_WARNING = 'warning: certificates of HTTPS origins are not verified (--insecure): anyone between capture and an origin can impersonate it';

/** Reads the `upstreamCa` files; an unreadable or non-PEM file is an error naming it (core adds the plugin's name). */
async function readUpstreamCa(files: readonly string[]): Promise<string[]> {
  return Promise.all(
    files.map(async (file, index) => {
      // Config users know the option, flag users the flag: name both, and the file first.
      const what = `upstream CA file ${file} (option "upstreamCa[${index}]", --upstream-ca)`;
      let pem: string;
      try {
        pem = await fs.readFile(file, 'utf8');
      } catch (error) {
        throw new CaptureError('CONFIG_INVALID', `${what}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { cause: error });
      }
      const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
      if (!blocks) throw new CaptureError('CONFIG_INVALID', `${what}: holds no PEM certificate (expected "-----BEGIN CERTIFICATE-----")`);
      blocks.forEach((block, position) => {
        try {
          new X509Certificate(block);
        } catch (error) {
          throw new CaptureError('CONFIG_INVALID', `${what}: certificate ${position + 1} is not a valid certificate (${(error as Error).message})`, { cause: error });
        }
      });
      return pem;
    }),
  );
}

function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}
