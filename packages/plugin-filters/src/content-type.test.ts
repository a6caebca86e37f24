import { describe, expect, it } from 'vitest';
import { isAsset, isMediaType, mediaTypeOf, urlExtension } from './content-type.js';

describe('mediaTypeOf', () => {
  it('reads the type without parameters, lower-cased, from a header of any case', () => {
    expect(mediaTypeOf([['CONTENT-TYPE', ' Image/PNG ; q=1']])).toBe('image/png');
    expect(mediaTypeOf([['x', 'y']])).toBe('');
  });
});

describe('isMediaType', () => {
  it.each(['image/png', 'image/svg+xml', 'audio/mpeg', 'video/mp4'])('%s is media', (type) => {
    expect(isMediaType(type)).toBe(true);
  });
  it.each(['application/json', 'text/html', 'application/video', '', 'imagex/png'])('%j is not media', (type) => {
    expect(isMediaType(type)).toBe(false);
  });
});

describe('isAsset', () => {
  it.each(['image/webp', 'text/css', 'text/javascript', 'application/javascript', 'application/x-javascript'])(
    'knows %s by its type, whatever the URL',
    (type) => expect(isAsset(type, 'https://h/api/thing')).toBe(true),
  );

  it('trusts a specific type over the extension', () => {
    expect(isAsset('application/json', 'https://h/config.js')).toBe(false);
    expect(isAsset('text/html', 'https://h/logo.png')).toBe(false);
  });

  it.each([
    ['', 'https://h/static/app.js'],
    ['', 'https://h/app.MJS?v=3'],
    ['application/octet-stream', 'https://h/style.css#top'],
    ['text/plain', 'https://h/raw/main.css'],
    ['binary/octet-stream', 'https://h/img/logo.JPEG'],
    ['', 'https://h/favicon.ico'],
  ])('falls back to the extension when the type is %j: %s', (type, url) => {
    expect(isAsset(type, url)).toBe(true);
  });

  it.each([
    ['', 'https://h/api/users'],
    ['', 'https://h/data.json'],
    ['application/octet-stream', 'https://h/download.zip'],
    ['', 'https://h/search?q=app.js'],
    ['', 'https://cdn.js/'],
  ])('is not an asset with type %j at %s', (type, url) => {
    expect(isAsset(type, url)).toBe(false);
  });
});

describe('urlExtension', () => {
  it.each([
    ['http://h/a/b.js', 'js'],
    ['http://h/a/b.min.CSS?x=1', 'css'],
    ['http://h/a/b.png#f', 'png'],
    ['http://h/a.d/b', undefined],
    ['http://h/a/b.', undefined],
    ['http://h.js', undefined],
    ['http://h.js/', undefined],
    ['http://h/?file=a.js', undefined],
  ])('%s → %s', (url, extension) => {
    expect(urlExtension(url)).toBe(extension);
  });
});
