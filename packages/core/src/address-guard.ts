import dns from 'node:dns';
import net from 'node:net';
import type { SyncBailHook } from 'tapable';

/** What `onUpstreamAddress` taps receive: the address capture is about to connect to for an origin. */
export interface UpstreamAddress {
  /** The name the request or tunnel asked for (`api.example.com`, or the literal address). */
  readonly hostname: string;
  /** The IP address the connection goes to: the one capture's own lookup chose, or the literal. */
  readonly address: string;
  /** The port. */
  readonly port: number;
}

/** A connection an `onUpstreamAddress` tap refused: the exchange or tunnel is answered 403 with its sentence. */
export class AddressRefusedError extends Error {
  readonly code = 'ADDRESS_REFUSED';
}

/**
 * Runs `onUpstreamAddress` for every direct upstream connection (the pool, HTTP/2 sessions,
 * tunnels, upgrades) with the address the connection really goes to, so a guard cannot be passed
 * by a name that resolves one way when checked and another when connected (DNS rebinding): the
 * check and the connection use the same lookup result. Connections through an upstream proxy are
 * resolved by that proxy and not checked. Fails closed: a tap that throws refuses.
 */
export class AddressGuard {
  readonly #hook: SyncBailHook<[UpstreamAddress], string | undefined>;

  constructor(hook: SyncBailHook<[UpstreamAddress], string | undefined>) {
    this.#hook = hook;
  }

  /** True when some plugin taps the hook (without taps, connections take Node's own path). */
  get active(): boolean {
    return this.#hook.taps.length > 0;
  }

  /** The refusal for `address:port`, or undefined when every tap lets it through. */
  refusal(hostname: string, address: string, port: number): AddressRefusedError | undefined {
    if (!this.active) return undefined;
    let answer: string | undefined;
    try {
      answer = this.#hook.call({ hostname, address: address.replace(/^::ffff:(?=\d+\.)/i, ''), port });
    } catch (error) {
      answer = `the connection to ${hostname} could not be checked (${(error as Error).message})`;
    }
    return answer === undefined ? undefined : new AddressRefusedError(answer);
  }

  /** The refusal for a literal IP host (Node does not look those up), else undefined. */
  literalRefusal(hostname: string, port: number): AddressRefusedError | undefined {
    return net.isIP(hostname) ? this.refusal(hostname, hostname, port) : undefined;
  }

  /** The refusal for a connected socket's peer (the address it really reached), else undefined. */
  socketRefusal(hostname: string, socket: net.Socket): AddressRefusedError | undefined {
    if (!this.active || socket.remoteAddress === undefined || socket.remotePort === undefined) return undefined;
    return this.refusal(hostname, socket.remoteAddress, socket.remotePort);
  }

  /**
   * A `lookup` for `net.connect`/`tls.connect`/`http.request` that resolves as Node would and
   * refuses when a resolved address is refused; undefined when no plugin taps the hook.
   */
  lookup(port: number): net.LookupFunction | undefined {
    if (!this.active) return undefined;
    return ((hostname: string, options: dns.LookupOptions, callback: (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void) => {
      dns.lookup(hostname, options, (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => {
        if (error) return callback(error, address, family);
        const list = Array.isArray(address) ? address : [{ address, family: family ?? 4 }];
        for (const entry of list) {
          const refused = this.refusal(hostname, entry.address, port);
          if (refused) return callback(Object.assign(refused, { errno: undefined }) as NodeJS.ErrnoException, address, family);
        }
        callback(null, address, family);
      });
    }) as net.LookupFunction;
  }
}
