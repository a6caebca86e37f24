import { readFileSync } from 'node:fs';

/**
 * The version of `@capture/core`, read from its package.json (one level above both src/ and
 * dist/). Read as a file, not require()d: a require would start Node's CommonJS loader, which
 * nothing else in core needs at import.
 */
export const CORE_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
