import { createCollection, toPostmanItem, type PostmanCollection } from '@capture/postman-format';
import type { StoredExchange } from '@capture/core';

/** A Postman Collection v2.1.0 with one request per exchange, in order, responses as saved examples. */
export function toPostmanCollection(exchanges: Iterable<StoredExchange>, name: string): PostmanCollection {
  const items = [];
  for (const exchange of exchanges) items.push(toPostmanItem(exchange));
  return createCollection({ name, description: 'Exported from capture history.', items });
}
