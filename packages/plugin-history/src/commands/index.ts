import type { CommandOptionSpec, CommandSpec } from '@capture/core';
import { runClear } from './clear.js';
import { EXPORT_FORMATS, runExport } from './export.js';
import { DEFAULT_LIST_LIMIT, runList } from './list.js';
import { runShow } from './show.js';

const FILTERS: CommandOptionSpec[] = [
  { flags: '--host <host>', description: 'only this host (example.com also matches its subdomains and any port)' },
  { flags: '--method <methods>', description: 'only these methods, comma-separated (GET,POST)' },
  { flags: '--status <codes>', description: 'only these status codes or classes, comma-separated (404, 5xx)' },
  { flags: '--search <text>', description: 'only exchanges with this text in the URL, headers or bodies' },
  { flags: '--source <source>', description: 'only exchanges from this source: run:npm, a client address, or run: for every capture run' },
  { flags: '--since <time>', description: 'only exchanges since a time: 10m, 2h, 7d, or a date such as 2024-05-01T10:00' },
];

/** The `capture history` command and its subcommands. */
export function historyCommands(): CommandSpec[] {
  return [
    {
      name: 'history',
      description: 'list, show, export and clear the captured history',
      subcommands: [
        {
          name: 'list',
          description: 'list captured exchanges, newest first',
          options: [{ flags: '--limit <n>', description: `show at most n (default ${DEFAULT_LIST_LIMIT})` }, ...FILTERS, { flags: '--wide', description: 'print whole rows even when they are wider than the terminal' }, { flags: '--json', description: 'print JSON instead of a table' }],
          run: runList,
        },
        {
          name: 'show',
          description: 'show one exchange whole: request, response, headers and bodies',
          arguments: [{ name: 'id', description: 'the exchange id from "capture history list"', required: true }],
          options: [{ flags: '--json', description: 'print JSON (bodies as text, or base64 when binary)' }],
          run: runShow,
        },
        {
          name: 'export',
          description: 'export exchanges as HAR 1.2, a Postman Collection v2.1.0, or curl commands',
          options: [
            { flags: '--format <format>', description: 'har, postman or curl', defaultValue: 'har', choices: [...EXPORT_FORMATS] },
            { flags: '--id <ids...>', description: 'only these exchange ids' },
            { flags: '--limit <n>', description: 'only the n newest' },
            ...FILTERS,
            { flags: '--name <name>', description: 'the collection name (postman format)' },
            { flags: '-o, --output <file>', description: 'write to a file instead of stdout' },
          ],
          run: runExport,
        },
        {
          name: 'clear',
          description: 'delete every saved exchange (asks first)',
          options: [{ flags: '-y, --yes', description: 'do not ask' }],
          run: runClear,
        },
      ],
    },
  ];
}
