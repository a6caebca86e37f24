import type { HeaderList } from '@capture/core';
import { isSecretName, type SecretSet } from './secrets.js';
import type { SecuritySchemeObject } from './types.js';

/** How one request authenticated itself. */
export interface RequestSecurity {
  /** The schemes it used together, by component name, sorted. */
  used: string[];
  /** The schemes, by component name. */
  schemes: Map<string, SecuritySchemeObject>;
  /** Header names (lower case) that carried credentials: not written as header parameters. */
  headers: Set<string>;
  /** Query names that carried credentials: not written as query parameters. */
  query: Set<string>;
}

/** Cookie names that hold a session even though their name has no secret word in it. */
const SESSION_COOKIE = /^(sid|.*sess.*|connect\.sid|jsessionid|phpsessid|asp\.net_sessionid|_.*_session|remember.*|jwt|auth.*)$/i;

/**
 * Detects the security schemes a request used (HTTP bearer, basic or digest; API keys in a
 * header, the query or a cookie) and remembers every credential value in `secrets` so that none
 * ends up in the document. Only the scheme's shape is kept, never the value.
 */
export function detectSecurity(headers: HeaderList, query: URLSearchParams, secrets: SecretSet): RequestSecurity {
  const found: RequestSecurity = { used: [], schemes: new Map(), headers: new Set(), query: new Set() };
  const use = (name: string, scheme: SecuritySchemeObject) => {
    if (!found.schemes.has(name)) found.schemes.set(name, scheme);
    if (!found.used.includes(name)) found.used.push(name);
  };
  for (const [rawName, value] of headers) {
    const name = rawName.toLowerCase();
    if (name === 'authorization') {
      found.headers.add(name);
      secrets.add(value);
      const [scheme = '', ...rest] = value.trim().split(/\s+/);
      const credential = rest.join(' ');
      secrets.add(credential);
      const lower = scheme.toLowerCase();
      if (lower === 'bearer') {
        use('bearerAuth', { type: 'http', scheme: 'bearer', ...(/^eyJ[\w-]*\.[\w-]*\.[\w-]*$/.test(credential) ? { bearerFormat: 'JWT' } : {}) });
        if (credential.includes('.')) for (const part of credential.split('.')) secrets.add(part);
      } else if (lower === 'basic') {
        use('basicAuth', { type: 'http', scheme: 'basic' });
        // The decoded user:password is a secret too, should an example carry it.
        const decoded = Buffer.from(credential, 'base64').toString('utf8');
        secrets.add(decoded);
        secrets.add(decoded.split(':').slice(1).join(':'));
      } else if (lower === 'digest') {
        use('digestAuth', { type: 'http', scheme: 'digest' });
      } else {
        use('authorization-header', { type: 'apiKey', in: 'header', name: 'Authorization' });
      }
      continue;
    }
    if (name === 'proxy-authorization') {
      // Meant for a proxy, not the API: neither a parameter nor a scheme.
      found.headers.add(name);
      secrets.add(value);
      continue;
    }
    if (name === 'cookie') {
      found.headers.add(name);
      for (const part of value.split(';')) {
        const eq = part.indexOf('=');
        if (eq < 0) continue;
        const cookie = part.slice(0, eq).trim();
        const cookieValue = part.slice(eq + 1).trim();
        // Every cookie value is kept out of the document; only session-like ones are schemes.
        secrets.add(cookieValue);
        if (cookie && (isSecretName(cookie) || SESSION_COOKIE.test(cookie))) use(`${schemeKey(cookie)}-cookie`, { type: 'apiKey', in: 'cookie', name: cookie });
      }
      continue;
    }
    if (isSecretName(name) && !/csrf|xsrf/.test(name)) {
      found.headers.add(name);
      secrets.add(value);
      use(`${schemeKey(name)}-header`, { type: 'apiKey', in: 'header', name: rawName });
    }
  }
  for (const [name, value] of query) {
    if (!isSecretName(name)) continue;
    found.query.add(name);
    secrets.add(value);
    use(`${schemeKey(name)}-query`, { type: 'apiKey', in: 'query', name });
  }
  found.used.sort();
  return found;
}

/** A component name from a header, query or cookie name (`^[a-zA-Z0-9._-]+$`). */
function schemeKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9._-]+/g, '_');
}
