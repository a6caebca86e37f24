/** What replaces a secret in an example. */
export const REDACTED = '<redacted>';

const SECRET_NAME = /pass(word|wd|phrase)?$|^pwd$|secret|token|api[-_]?key|^key$|^authorization$|^auth$|auth[-_]?(token|key)|credential|session|^sid$|cookie|signature|private[-_]?key|access[-_]?key|^otp$|^pin$|^cvv$|^cvc$|card[-_]?number|^ssn$/i;
const JWT = /^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const KNOWN_PREFIX = /^(sk|pk|rk)_(live|test)_|^gh[pousr]_|^github_pat_|^xox[abprs]-|^AKIA[0-9A-Z]{16}$|^AIza/;

/** Names about a secret rather than holding one: `token_type`, `expires_in`, `session_count`. */
const ABOUT_SECRET = /(type|kind|expires?|expires_?(in|at)|ttl|count|length|_at|_url|_uri)$/i;

/** True for a header, query, cookie or body field name whose values are secrets (`password`, `api_key`, `sessionToken`). */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name) && !ABOUT_SECRET.test(name);
}

/**
 * True for a value that looks like a credential whatever its field is called: a JWT, a key with
 * a vendor prefix, or a long random string mixing upper case, lower case and digits. Lower-case
 * hex ids and ULIDs do not count, so ordinary identifiers stay readable in examples.
 */
export function looksLikeToken(value: string): boolean {
  if (JWT.test(value) || KNOWN_PREFIX.test(value)) return true;
  if (value.length < 24 || !/^[A-Za-z0-9_\-+/=.~]+$/.test(value)) return false;
  return /[a-z]/.test(value) && /[A-Z]/.test(value) && /\d/.test(value);
}

/**
 * The secrets seen while generating (authorization values, cookie values, API keys): the last
 * line of defence, {@link SecretSet.scrub} removes any of them from the rendered text, wherever
 * a value slipped through.
 */
export class SecretSet {
  readonly #values = new Set<string>();

  /** Remembers a secret; very short values are ignored since replacing them would mangle ordinary text. */
  add(value: string | undefined): void {
    if (value && value.length >= 6) this.#values.add(value);
  }

  /** How many secrets are known. */
  get size(): number {
    return this.#values.size;
  }

  /** `text` with every known secret replaced by {@link REDACTED}, longest first so a secret inside another goes too. */
  scrub(text: string): string {
    if (!this.#values.size) return text;
    let out = text;
    for (const value of [...this.#values].sort((a, b) => b.length - a.length)) {
      if (out.includes(value)) out = out.split(value).join(REDACTED);
    }
    return out;
  }
}

/** Redacts secret-named fields and token-like strings in a JSON value, for an example. Arrays keep at most `maxItems`. */
export function redactValue(value: unknown, secrets: SecretSet, maxItems = 3, name?: string): unknown {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') {
    return name !== undefined && isSecretName(name) && value !== null ? REDACTED : value;
  }
  if (typeof value === 'string') {
    if ((name !== undefined && isSecretName(name)) || looksLikeToken(value)) {
      secrets.add(value);
      return REDACTED;
    }
    return value;
  }
  if (Array.isArray(value)) return value.slice(0, maxItems).map((item) => redactValue(item, secrets, maxItems, name));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) out[key] = redactValue(item, secrets, maxItems, key);
    return out;
  }
  return value;
}
