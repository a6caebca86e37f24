import { describe, expect, it } from 'vitest';
import { postmanSkipReason } from './skip.js';

describe('postmanSkipReason', () => {
  it('accepts absolute http(s) URLs with token methods and names what else cannot be a request', () => {
    expect(postmanSkipReason({ method: 'GET', url: 'https://example.com/a?b=1' })).toBeUndefined();
    expect(postmanSkipReason({ method: 'GET', url: '' })).toBe('URL is not an absolute URL');
    expect(postmanSkipReason({ method: 'GET', url: '/relative' })).toBe('URL is not an absolute URL');
    expect(postmanSkipReason({ method: 'GET', url: 'file:///etc/passwd' })).toBe('URL is not an http(s) URL');
    expect(postmanSkipReason({ method: '', url: 'http://example.com/' })).toBe('method is not an HTTP token');
  });
});
