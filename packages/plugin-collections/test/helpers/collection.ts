import { readFileSync } from 'node:fs';
import { startProxy, type TestProxy } from '@capture/core/testing';
import type { CapturePlugin } from '@capture/core';
import collections, { type CollectionsApi, type CollectionsOptions } from '../../src/index.js';

/** A collection as tests read it back. */
export interface ReadBack {
  info: { name: string; _postman_id: string; schema: string; description?: string };
  item: Entry[];
  [key: string]: unknown;
}

/** A folder or a request of a collection read back. */
export interface Entry {
  name: string;
  item?: Entry[];
  request?: {
    method: string;
    header: Array<{ key: string; value: string }>;
    url: { raw: string; protocol: string; host: string[]; port?: string; path: string[]; query?: Array<{ key: string | null; value: string | null }> };
    body?: Record<string, unknown> & { mode: string };
    description?: string;
  };
  response?: Array<{ name: string; code: number; status: string; body: string | null; _postman_previewlanguage: string; header: Array<{ key: string; value: string }>; originalRequest: unknown }>;
  [key: string]: unknown;
}

/** Reads a collection file. */
export function readCollection(file: string): ReadBack {
  return JSON.parse(readFileSync(file, 'utf8')) as ReadBack;
}

/** The folder tree as nested names: a request is its name, a folder `{ name: [children] }`. */
export type Shape = string | { [folder: string]: Shape[] };

/** The shape of a list of entries, for comparing whole trees in one assertion. */
export function shapeOf(entries: Entry[]): Shape[] {
  return entries.map((entry) => (entry.item ? { [entry.name]: shapeOf(entry.item) } : entry.name));
}

/** Every request of a collection, in the order newman runs them (depth first). */
export function requestsOf(entries: Entry[]): Entry[] {
  return entries.flatMap((entry) => (entry.item ? requestsOf(entry.item) : [entry]));
}

/** A proxy with the collections plugin (and any plugins before it) in `dataDir`. */
export async function startCollectionsProxy(
  dataDir: string,
  options: CollectionsOptions,
  before: CapturePlugin[] = [],
): Promise<TestProxy & { api: CollectionsApi; file: string }> {
  const plugin = collections(options);
  const started = await startProxy({ dataDir, plugins: [...before, plugin] });
  return Object.assign(started, { api: plugin.api!, file: plugin.api!.file! });
}
