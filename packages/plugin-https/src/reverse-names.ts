import net from 'node:net';
import os from 'node:os';
import { stripBrackets, type CaptureProxy } from '@capture/core';

/** What a reverse-TLS connection needs: the names of its certificate, and whether the origin speaks TLS (else there is nothing to ask in ALPN). */
export interface ReverseTlsTarget {
  /** The origin's name first (the common name), then every name the listener is reached by. */
  readonly names: readonly string[];
  /** True for an `https://` reverse origin. */
  readonly originSecure: boolean;
}

/** Names every listener is reached by on its own machine. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

/**
 * In reverse mode with `reverseTls`, core turns a ClientHello on capture's port into a CONNECT
 * to the reverse origin (`proxy.mode`): such a connection's certificate names the origin and
 * also the listener's addresses (loopback, `localhost`, the host it is bound to, every interface
 * address for a wildcard bind) and the client's SNI, so an app configured with
 * `https://127.0.0.1:PORT` or a LAN address accepts it as it accepts the origin's name.
 * `undefined` for any other CONNECT.
 */
export function reverseTlsTarget(proxy: CaptureProxy, hostname: string, port: number, servername: string | undefined): ReverseTlsTarget | undefined {
  const mode = proxy.mode;
  if (mode.kind !== 'reverse' || !mode.reverse || !proxy.config.reverseTls) return undefined;
  const origin = new URL(mode.reverse);
  const originSecure = origin.protocol === 'https:';
  const originHost = stripBrackets(origin.hostname);
  const originPort = Number(origin.port) || (originSecure ? 443 : 80);
  if (originHost.toLowerCase() !== hostname.toLowerCase() || originPort !== port) return undefined;
  const names = [originHost, ...(servername ? [servername] : []), ...LOOPBACK_NAMES, ...listenerAddresses(proxy.listenInfo?.host ?? proxy.config.host)];
  return { names: [...new Set(names.map((name) => name.toLowerCase()))], originSecure };
}

/** The addresses a listener bound to `host` answers on: itself, or every interface address for a wildcard. */
function listenerAddresses(host: string): string[] {
  const bare = stripBrackets(host);
  const v4 = bare === '0.0.0.0';
  // `::` also serves IPv4 (dual stack).
  if (!v4 && bare !== '::') return [bare];
  return Object.values(os.networkInterfaces())
    .flat()
    .filter((entry) => entry !== undefined && (!v4 || entry.family === 'IPv4'))
    // Link-local IPv6 needs a zone in a URL, which no certificate names.
    .map((entry) => entry!.address)
    .filter((address) => net.isIP(address) && !address.toLowerCase().startsWith('fe80:'));
}
