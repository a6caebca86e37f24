import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new access token: 24 random bytes, URL-safe (32 characters). */
export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * A checker for one token that takes the same time whatever is guessed: both sides are hashed
 * to equal lengths first, so neither the length nor a matching prefix shows in the timing.
 */
export function tokenChecker(token: string): (candidate: string | undefined) => boolean {
  const expected = createHash('sha256').update(token).digest();
  return (candidate) => {
    if (typeof candidate !== 'string') return false;
    return timingSafeEqual(createHash('sha256').update(candidate).digest(), expected);
  };
}
