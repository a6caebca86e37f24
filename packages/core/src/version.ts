import { createRequire } from 'node:module';

/** The version of `@capture/core`, read from its package.json (one level above both src/ and dist/). */
export const CORE_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
