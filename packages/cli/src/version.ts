import { createRequire } from 'node:module';

/** The version of `@capture/cli` (from its package.json: this module is bundled into `dist/`, next to it). */
export const CLI_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
