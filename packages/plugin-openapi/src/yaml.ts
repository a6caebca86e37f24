import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

let loaded: typeof Yaml | undefined;

/**
 * The `yaml` package, required on first use: rendering and parsing are synchronous API calls,
 * and a `capture start` that never writes a document should not load it (about 70 modules,
 * 30 ms and a few MiB). Its Node entry is CommonJS, so a synchronous require works.
 */
export function yaml(): typeof Yaml {
  loaded ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  return loaded;
}
