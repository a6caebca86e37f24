import { timingSafeEqual } from 'node:crypto';

/** Checks `Proxy-Authorization: Basic …` against a configured `user:pass`. */
export function createProxyAuthCheck(credentials: string): (header: string | undefined) => boolean {
  const expected = Buffer.from(`Basic ${Buffer.from(credentials).toString('base64')}`);
  return (header) => {
    if (!header) return false;
    const given = Buffer.from(header.trim());
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
}

/** The head of a 407 response asking for Basic proxy credentials. */
export const PROXY_AUTH_CHALLENGE = 'Basic realm="capture", charset="UTF-8"';
