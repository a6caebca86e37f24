import path from 'node:path';
import { CaptureError, type CommandInput, type CommandSpec } from '@capture/core';
import type { FilterFlags } from '@capture/plugin-history';
import { readOpenApiFile, writeFileAtomic } from '../files.js';
import { generateOpenApi } from '../generate.js';
import { readHistory } from '../history-source.js';
import { formatDrift, mergeOpenApi } from '../merge.js';
import type { ResolvedOpenApiOptions } from '../options.js';
import { OUTPUT_FORMATS, renderOpenApi, type OutputFormat } from '../render.js';
import { METHODS, type OpenApiDocument, type OpenApiVersion } from '../types.js';

/** The flags of `capture openapi`, as commander gives them. */
interface OpenApiFlags extends FilterFlags {
  output?: string;
  format?: OutputFormat;
  title?: string;
  merge?: string;
  openapi?: OpenApiVersion;
}

/** `capture openapi`: the command and its flags (the history filters first, as `capture history list` has them). */
export function openapiCommands(options: ResolvedOpenApiOptions): CommandSpec[] {
  return [
    {
      name: 'openapi',
      description: 'write an OpenAPI document (3.1, or 3.0.3) inferred from the captured history',
      options: [
        { flags: '--host <host>', description: 'only this host (example.com also matches its subdomains and any port)' },
        { flags: '--method <methods>', description: 'only these methods, comma-separated (GET,POST)' },
        { flags: '--status <codes>', description: 'only these status codes or classes, comma-separated (200, 4xx)' },
        { flags: '--search <text>', description: 'only exchanges with this text in the URL, headers or bodies' },
        { flags: '--source <source>', description: 'only exchanges from this source: run:npm, a client address, or run: for every capture run' },
        { flags: '--since <time>', description: 'only exchanges since a time: 10m, 2h, 7d, or a date such as 2024-05-01T10:00' },
        { flags: '--limit <n>', description: 'only the n newest exchanges' },
        { flags: '-o, --output <file>', description: 'write to this file instead of stdout (with --merge: instead of the merged file; "-" for stdout)' },
        { flags: '--format <format>', description: `yaml or json (default: from the file name, else ${options.format})`, choices: [...OUTPUT_FORMATS] },
        { flags: '--title <title>', description: 'info.title (default: "<host> API")' },
        { flags: '--merge <file>', description: 'merge into this document, keeping its edits, and rewrite it; prints what changed on stderr' },
        { flags: '--openapi <version>', description: `3.1 or 3.0 (3.0.3) (default: the merged file's, else ${options.openapi})`, choices: ['3.1', '3.0'] },
      ],
      run: (input) => runOpenApi(input, options),
    },
  ];
}

/** Runs `capture openapi`. */
export async function runOpenApi({ options: raw, context }: CommandInput, defaults: ResolvedOpenApiOptions): Promise<number> {
  const flags = raw as OpenApiFlags;
  const existing = flags.merge ? await readOpenApiFile(path.resolve(flags.merge)) : undefined;
  const exchanges = await readHistory(context, flags);
  if (!exchanges.length) throw new CaptureError('OPENAPI_NO_TRAFFIC', 'openapi: no exchanges in history match; capture some traffic first (capture start)');

  const version = flags.openapi ?? (existing ? (existing.openapi.startsWith('3.0') ? '3.0' : '3.1') : defaults.openapi);
  const started = performance.now();
  const generated = generateOpenApi(exchanges, { openapi: version, title: flags.title ?? defaults.title, apiVersion: defaults.apiVersion, maxExampleItems: defaults.maxExampleItems });
  let document = generated.document;
  if (existing) {
    const merged = mergeOpenApi(existing, document);
    document = merged.document;
    context.stderr.write(formatDrift(merged.drift, flags.merge!));
  }
  const target = flags.output === '-' ? undefined : (flags.output ?? flags.merge);
  const format = flags.format ?? formatFromName(target) ?? defaults.format;
  const text = renderOpenApi(document, format);
  const unanswered = exchanges.filter((exchange) => !exchange.response && !exchange.error).length;
  if (unanswered) context.stderr.write(`openapi: ${unanswered} exchange${unanswered === 1 ? ' has' : 's have'} no saved response (history saveResponses off?): their operations list no response bodies\n`);
  if (!target) {
    context.stdout.write(text);
    return 0;
  }
  const file = path.resolve(target);
  await writeFileAtomic(file, text);
  const ms = Math.round(performance.now() - started);
  context.stderr.write(`openapi: ${countOperations(document)} operations on ${Object.keys(document.paths).length} paths from ${generated.used} exchanges written to ${file} (${ms} ms)\n`);
  return 0;
}

function formatFromName(file: string | undefined): OutputFormat | undefined {
  if (!file) return undefined;
  if (/\.json$/i.test(file)) return 'json';
  if (/\.ya?ml$/i.test(file)) return 'yaml';
  return undefined;
}

function countOperations(document: OpenApiDocument): number {
  return Object.values(document.paths).reduce((sum, item) => sum + METHODS.filter((method) => item[method]).length, 0);
}
