import { matchAny } from '@capture/core';
import type { ResolvedFiltersOptions } from './options.js';

/** The rule that filtered an exchange, shown in `exchange.skip.reason` as `filtered: <rule>`. */
export type FilterRule = 'method' | 'exclude' | 'include' | 'asset';

/**
 * Builds the decision made when a request arrives, from its method and full URL: the rule that
 * filters it, or undefined to capture it. Undefined as a whole when no request rule is set, so the
 * plugin does not even tap `onRequest`. Exclude is checked before include: it wins.
 */
export function compileRequestRules(options: ResolvedFiltersOptions): ((method: string, url: string) => FilterRule | undefined) | undefined {
  const methods = options.methods.length ? new Set(options.methods) : undefined;
  const excluded = matchAny(options.exclude);
  const included = matchAny(options.include);
  if (!methods && !excluded && !included) return undefined;
  return (method, url) => {
    // Methods arrive upper-case from nearly every client: only others pay for toUpperCase.
    if (methods && !methods.has(method) && !methods.has(method.toUpperCase())) return 'method';
    if (excluded?.(url)) return 'exclude';
    if (included && !included(url)) return 'include';
    return undefined;
  };
}
