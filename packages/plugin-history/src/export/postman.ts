import { createCollection, postmanSkipReason, toPostmanItem, type PostmanCollection, type PostmanItem } from '@capture/postman-format';
import type { StoredExchange } from '@capture/core';

/**
 * A Postman Collection v2.1.0 with one request per exchange, in order, responses as saved
 * examples. An exchange a collection cannot hold (an empty or relative URL, a method that is not
 * a token) is left out and counted in `skipped`, so one malformed request never fails the export.
 */
export function toPostmanCollection(exchanges: Iterable<StoredExchange>, name: string): { collection: PostmanCollection; skipped: number } {
  const items: PostmanItem[] = [];
  let skipped = 0;
  for (const exchange of exchanges) {
    if (postmanSkipReason(exchange.request)) {
      skipped += 1;
      continue;
    }
    items.push(toPostmanItem(exchange));
  }
  return { collection: createCollection({ name, description: 'Exported from capture history.', items }), skipped };
}
