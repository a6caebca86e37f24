import { getHeader, type HeaderList } from '@capture/core';

/** The media type of a `Content-Type` header without parameters, lower-cased (`text/css`), or `''` when absent. */
export function mediaTypeOf(headers: HeaderList): string {
  const value = getHeader(headers, 'content-type');
  if (value === undefined) return '';
  const semicolon = value.indexOf(';');
  return (semicolon === -1 ? value : value.slice(0, semicolon)).trim().toLowerCase();
}

/** True for `image/*`, `audio/*` and `video/*`: responses whose bodies are forwarded but never captured. */
export function isMediaType(mediaType: string): boolean {
  return mediaType.startsWith('image/') || mediaType.startsWith('audio/') || mediaType.startsWith('video/');
}

/** JavaScript and CSS types, current and legacy (RFC 9239 lists the JavaScript aliases). */
const SCRIPT_AND_STYLE_TYPES = new Set([
  'text/css',
  'text/javascript',
  'application/javascript',
  'application/x-javascript',
  'text/x-javascript',
  'application/ecmascript',
  'application/x-ecmascript',
  'text/ecmascript',
  'text/jscript',
  'text/livescript',
]);

/**
 * Types that say nothing about what the body is. Servers send these for static files they do not
 * know (or, for `text/plain`, that they serve raw), so the URL's extension decides instead.
 */
const GENERIC_TYPES = new Set([
  '',
  'application/octet-stream',
  'binary/octet-stream',
  'application/unknown',
  'application/x-unknown',
  'application/x-download',
  'application/force-download',
  'text/plain',
  '*/*',
]);

/** Extensions of images, scripts and stylesheets, for responses whose type is missing or generic. */
const ASSET_EXTENSIONS = new Set([
  'css',
  'js',
  'mjs',
  'cjs',
  'png',
  'apng',
  'jpg',
  'jpeg',
  'jfif',
  'pjpeg',
  'pjp',
  'gif',
  'webp',
  'avif',
  'svg',
  'ico',
  'cur',
  'bmp',
  'tif',
  'tiff',
  'heic',
  'heif',
  'jxl',
]);

/**
 * True when a response is an image, a script or a stylesheet (`excludeAssets`): by its media type,
 * else, when the type is missing or generic, by the extension of the URL's path.
 */
export function isAsset(mediaType: string, url: string): boolean {
  if (mediaType.startsWith('image/') || SCRIPT_AND_STYLE_TYPES.has(mediaType)) return true;
  if (!GENERIC_TYPES.has(mediaType)) return false;
  const extension = urlExtension(url);
  return extension !== undefined && ASSET_EXTENSIONS.has(extension);
}

/**
 * The lower-cased extension of the last path segment of an absolute URL (`js` for
 * `https://h/app.js?v=2`), or undefined. Plain string work: this runs per response.
 */
export function urlExtension(url: string): string | undefined {
  const authority = url.indexOf('//');
  const pathStart = url.indexOf('/', authority === -1 ? 0 : authority + 2);
  if (pathStart === -1) return undefined;
  let end = url.length;
  const query = url.indexOf('?', pathStart);
  if (query !== -1) end = query;
  const hash = url.indexOf('#', pathStart);
  if (hash !== -1 && hash < end) end = hash;
  const lastSlash = url.lastIndexOf('/', end - 1);
  const dot = url.lastIndexOf('.', end - 1);
  if (dot <= lastSlash || dot === end - 1) return undefined;
  return url.slice(dot + 1, end).toLowerCase();
}
