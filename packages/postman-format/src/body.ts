import { Buffer } from 'node:buffer';
import { parse as parseMultipart } from 'parse-multipart-data';
import { bodyText, languageOf, mediaType } from './text.js';
import type { PostmanBody, PostmanFormParam, SourceBody } from './types.js';

/**
 * Turns a captured request body into a Postman body in the mode Postman itself would use:
 * `urlencoded` for forms, `formdata` for multipart, `graphql` for GraphQL requests, `raw` (with
 * the editor language) for other text, and `file` (with no file chosen) for binary bodies,
 * which a collection cannot carry. Undefined for an empty body.
 */
export function toPostmanBody(body: SourceBody | undefined, contentType: string | undefined, url: string): PostmanBody | undefined {
  if (!body || body.bytes.length === 0) return undefined;
  const { type, parameters } = mediaType(contentType);
  if (type === 'multipart/form-data' && parameters.boundary && !body.truncated) {
    const formdata = multipartFields(body.bytes, parameters.boundary);
    if (formdata) return { mode: 'formdata', formdata };
  }
  const text = bodyText(body.bytes, contentType);
  if (text === undefined) return { mode: 'file', file: { src: null } };
  if (type === 'application/x-www-form-urlencoded' && !body.truncated) {
    return { mode: 'urlencoded', urlencoded: [...new URLSearchParams(text)].map(([key, value]) => ({ key, value, type: 'text' as const })) };
  }
  const graphql = graphqlBody(text, type, url);
  if (graphql && !body.truncated) return graphql;
  return { mode: 'raw', raw: text, options: { raw: { language: languageOf(type) } } };
}

/** How a file field's `description` starts, before the file name the client sent. */
export const CAPTURED_FILE_NAME = 'captured file name: ';

function multipartFields(bytes: Uint8Array, boundary: string): PostmanFormParam[] | undefined {
  try {
    const parts = parseMultipart(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), boundary);
    if (parts.length === 0) return undefined;
    return parts.map((part): PostmanFormParam => {
      const key = part.name ?? '';
      // Never `src: part.filename`: the client chose that name, and a runner would read a local file by it.
      if (part.filename !== undefined) return { key, src: null, type: 'file', ...(part.type ? { contentType: part.type } : {}), ...(part.filename ? { description: `${CAPTURED_FILE_NAME}${part.filename}` } : {}) };
      return { key, value: part.data.toString('utf8'), type: 'text' };
    });
  } catch {
    // Not parseable as multipart after all: the caller falls back to the raw text.
    return undefined;
  }
}

/** A GraphQL request: `application/graphql`, or JSON with a string `query` sent to a `…graphql` path. */
function graphqlBody(text: string, type: string, url: string): PostmanBody | undefined {
  if (type === 'application/graphql') return { mode: 'graphql', graphql: { query: text } };
  if (languageOf(type) !== 'json' || !/graphql/i.test(new URL(url).pathname)) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object' || typeof (parsed as { query?: unknown }).query !== 'string') return undefined;
    const { query, variables } = parsed as { query: string; variables?: unknown };
    return { mode: 'graphql', graphql: { query, ...(variables !== undefined ? { variables: JSON.stringify(variables, null, 2) } : {}) } };
  } catch {
    return undefined;
  }
}
