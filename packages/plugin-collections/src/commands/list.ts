import Table from 'cli-table3';
import type { CommandInput } from '@capture/core';
import { PLUGIN_NAME } from '../options.js';
import { listEntries, type CollectionEntry } from './catalog.js';

/** `capture collection list`: name, request count, last change and file of each collection. */
export async function runList({ options, context }: CommandInput, configuredFile: string | undefined): Promise<number> {
  const entries = await listEntries(context.dataDir, configuredFile);
  if (options.json) {
    const json = entries.map((entry) => ({
      name: entry.name ?? null,
      file: entry.file,
      requests: entry.requests,
      updated: new Date(entry.updated).toISOString(),
      ...(entry.problem ? { problem: entry.problem } : {}),
    }));
    context.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return 0;
  }
  if (!entries.length) {
    context.stderr.write('no collections yet (capture start --save-to collection --collection NAME creates one)\n');
    return 0;
  }
  context.stdout.write(`${formatTable(entries)}\n`);
  // A warning, not an error: nothing wraps it, so it is worded here as the CLI words errors.
  for (const entry of entries) if (entry.problem) context.stderr.write(`capture: ${PLUGIN_NAME}: ${entry.problem}\n`);
  return 0;
}

/** The readable table: name, requests, updated, file. */
export function formatTable(entries: CollectionEntry[]): string {
  const table = new Table({
    head: ['NAME', 'REQUESTS', 'UPDATED', 'FILE'],
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
    colAligns: ['left', 'right', 'left', 'left'],
  });
  for (const entry of entries) {
    table.push([entry.name ?? '(not a collection)', entry.problem ? '-' : String(entry.requests), formatDateTime(entry.updated), entry.file]);
  }
  return table.toString().split('\n').map((line) => line.trimEnd()).join('\n');
}

/** Local date and time to the minute: `2024-05-01 14:47`. */
export function formatDateTime(epochMs: number): string {
  const date = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
