import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The path of a file in `test/fixtures`. */
export const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

/** The fixture certificate for `localhost` (and 127.0.0.1), PEM. */
export const localhostCert = readFileSync(fixture('localhost.crt'), 'utf8');

/** The key of {@link localhostCert}, PEM. */
export const localhostKey = readFileSync(fixture('localhost.key'), 'utf8');
