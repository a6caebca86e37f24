import { describe, expect, it } from 'vitest';
import { REDACTED, SecretSet, isSecretName, looksLikeToken, redactValue } from './secrets.js';

describe('secrets', () => {
  it('knows secret names, but not names about secrets', () => {
    for (const name of ['password', 'api_key', 'X-Api-Key', 'access_token', 'refreshToken', 'client_secret', 'sid', 'Authorization']) expect(isSecretName(name), name).toBe(true);
    for (const name of ['token_type', 'expires_in', 'author', 'name', 'keyboard', 'session_count']) expect(isSecretName(name), name).toBe(false);
  });

  it('spots token-like values but keeps ids', () => {
    expect(looksLikeToken('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc')).toBe(true);
    expect(looksLikeToken('sk_live_abcdef')).toBe(true);
    expect(looksLikeToken('Qm9iU2Vzc2lvbjEyMzQ1Nk9iU2')).toBe(true);
    expect(looksLikeToken('5f1e2d3c4b5a69788796a5b4')).toBe(false);
    expect(looksLikeToken('01ARZ3NDEKTSV4RRFFQ69G5FAV')).toBe(false);
    expect(looksLikeToken('leave at the door please thanks')).toBe(false);
  });

  it('redacts examples and scrubs what it learnt', () => {
    const secrets = new SecretSet();
    expect(redactValue({ user: 'ann', password: 'hunter2!!', list: [1, 2, 3, 4, 5] }, secrets)).toEqual({ user: 'ann', password: REDACTED, list: [1, 2, 3] });
    expect(secrets.scrub('the password was hunter2!! then')).toBe(`the password was ${REDACTED} then`);
  });
});
