import { describe, expect, it } from 'vitest';
import { endpointOf, folderPath, isIdentifier } from './grouping.js';

describe('grouping', () => {
  it('collapses identifier-like segments to :id and leaves words alone', () => {
    expect(endpointOf('/users/42')).toBe('/users/:id');
    expect(endpointOf('/users/7')).toBe('/users/:id');
    expect(endpointOf('/orders/3f2504e0-4f89-11d3-9a0c-0305e82c3301/items/12')).toBe('/orders/:id/items/:id');
    expect(endpointOf('/objects/507f1f77bcf86cd799439011')).toBe('/objects/:id');
    expect(endpointOf('/events/01ARZ3NDEKTSV4RRFFQ69G5FAV')).toBe('/events/:id');
    expect(endpointOf('/api/v2/users')).toBe('/api/v2/users');
    expect(endpointOf('/')).toBe('/');
    for (const word of ['deadbeef', 'facade', 'v1', 'users', 'abc123', '']) expect(isIdentifier(word), word).toBe(false);
  });

  it('names domain folders by host, with the port only when it is not the default', () => {
    expect(folderPath('http://api.example.com/users/1', ['domain'])).toEqual(['api.example.com']);
    expect(folderPath('https://api.example.com:443/users/1', ['domain'])).toEqual(['api.example.com']);
    expect(folderPath('http://127.0.0.1:8080/users/1', ['domain'])).toEqual(['127.0.0.1:8080']);
    expect(folderPath('https://localhost:8443/x', ['domain'])).toEqual(['localhost:8443']);
    expect(folderPath('http://[::1]:9000/x', ['domain'])).toEqual(['[::1]:9000']);
  });

  it('gives no folders when not grouping, an endpoint folder, or a domain folder holding an endpoint folder', () => {
    const url = 'http://127.0.0.1:8080/users/42?expand=1';
    expect(folderPath(url, [])).toEqual([]);
    expect(folderPath(url, ['endpoint'])).toEqual(['/users/:id']);
    expect(folderPath(url, ['domain', 'endpoint'])).toEqual(['127.0.0.1:8080', '/users/:id']);
  });
});
