import { timingSafeEqual } from 'node:crypto';

/** The `Proxy-Authorization` value a client sends for `user:pass` with HTTP Basic. */
function basicHeader(username: string, password: string): Buffer {
  return Buffer.from(`Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`);
}

/** Compares a header a client sent with an expected value in constant time (for equal lengths). */
function matches(header: string, expected: Buffer): boolean {
  const given = Buffer.from(header.trim());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Checks `Proxy-Authorization: Basic …` against a configured `user:pass`. */
export function createProxyAuthCheck(credentials: string): (header: string | undefined) => boolean {
  const colon = credentials.indexOf(':');
  const expected = basicHeader(credentials.slice(0, colon), credentials.slice(colon + 1));
  return (header) => header !== undefined && matches(header, expected);
}

/**
 * The proxy's one authentication gate: the configured `auth` credentials, plus per-launch
 * credentials that tag what a client sends with a source (`capture run` gives each command its
 * own, so its exchanges read `run:npm`). A request carrying such credentials is authenticated
 * whether or not `auth` is configured.
 */
export class ProxyAuthenticator {
  readonly #check: ((header: string | undefined) => boolean) | undefined;
  /** Few entries (one per running `capture run`): a list compared in constant time beats a map keyed by secrets. */
  readonly #sources: Array<{ expected: Buffer; source: string }> = [];

  constructor(auth: string | undefined) {
    this.#check = auth ? createProxyAuthCheck(auth) : undefined;
  }

  /** True when `auth` is configured, so requests without credentials get 407. */
  get required(): boolean {
    return this.#check !== undefined;
  }

  /** Registers credentials whose requests get `source`; returns the function that removes them. */
  addSource(username: string, password: string, source: string): () => void {
    const entry = { expected: basicHeader(username, password), source };
    this.#sources.push(entry);
    return () => {
      const index = this.#sources.indexOf(entry);
      if (index >= 0) this.#sources.splice(index, 1);
    };
  }

  /** The source registered for the credentials in `header`, if any. */
  sourceFor(header: string): string | undefined {
    for (const entry of this.#sources) if (matches(header, entry.expected)) return entry.source;
    return undefined;
  }

  /** True when `header` holds the configured credentials, or none are configured. */
  accepts(header: string | undefined): boolean {
    return !this.#check || this.#check(header);
  }
}

/** The head of a 407 response asking for Basic proxy credentials. */
export const PROXY_AUTH_CHALLENGE = 'Basic realm="capture", charset="UTF-8"';
