import { describe, expect, it } from 'vitest';
import { toPostmanItem } from '@capture/postman-format';
import { appendItem, countRequests, newCollection, treeOf } from './document.js';

const item = (path: string) => toPostmanItem({ request: { method: 'GET', url: `http://e.com${path}`, headers: [] } });

describe('collection document', () => {
  it('appends in order into folders it creates once, keeping whatever else is there', () => {
    const collection = newCollection('Demo');
    collection.item.push({ name: 'by hand', request: { method: 'GET', url: 'http://x/' } });
    collection.item.push({ name: 'e.com', item: [], description: 'my notes' });
    appendItem(collection, ['e.com', '/users/:id'], item('/users/1'));
    appendItem(collection, ['e.com', '/users/:id'], item('/users/2'));
    appendItem(collection, ['e.com', '/'], item('/'));
    appendItem(collection, [], item('/top'));
    expect(treeOf(collection.item)).toEqual([
      { name: 'by hand' },
      { name: 'e.com', children: [{ name: '/users/:id', children: [{ name: 'GET /users/1' }, { name: 'GET /users/2' }] }, { name: '/', children: [{ name: 'GET /' }] }] },
      { name: 'GET /top' },
    ]);
    expect((collection.item[1] as { description: string }).description).toBe('my notes');
    expect(countRequests(collection.item)).toBe(5);
  });

  it('does not mistake a request named like a folder for the folder', () => {
    const collection = newCollection('Demo');
    collection.item.push({ name: 'e.com', request: { method: 'GET', url: 'http://e.com/' }, item: [] });
    appendItem(collection, ['e.com'], item('/a'));
    expect(collection.item).toHaveLength(2);
    expect(treeOf(collection.item)[1]).toEqual({ name: 'e.com', children: [{ name: 'GET /a' }] });
  });
});
