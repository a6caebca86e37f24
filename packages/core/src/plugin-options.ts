import type { z } from 'zod';
import { CaptureError, PluginError } from './errors.js';
import { describeValue } from './pattern.js';

/**
 * Validates a plugin's options against its zod schema and returns the parsed (resolved) value.
 * On failure it throws a {@link PluginError} (code `CONFIG_INVALID`) whose one line names the
 * plugin and every bad option with what was expected, e.g.
 * `filters: option "include[0]": invalid regular expression "/[/": Unterminated character class`;
 * misspelt keys list the known ones. The one place option errors are worded, for every plugin.
 */
export function validatePluginOptions<Schema extends z.ZodType>(plugin: string, schema: Schema, options: unknown): z.output<Schema> {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw invalidOptions(plugin, `expected an options object, got ${describeValue(options)}`);
  }
  // Each schema parses once per start: zod's compiled fast path (built with new Function on the
  // first parse, about 5 ms for the default plugins) costs more than it saves here.
  const parsed = schema.safeParse(options, { jitless: true });
  if (parsed.success) return parsed.data;
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  const known = shape ? Object.keys(shape).join(', ') : undefined;
  const problems = parsed.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((key) => JSON.stringify(key)).join(', ');
      return `unknown option${issue.keys.length > 1 ? 's' : ''} ${keys}${known ? ` (known: ${known})` : ''}`;
    }
    return `option "${optionPath(issue.path)}": ${issue.message}`;
  });
  throw invalidOptions(plugin, problems.join('; '));
}

/** An options error of `plugin`, worded as {@link validatePluginOptions} words them. */
export function invalidOptions(plugin: string, detail: string): PluginError {
  return new PluginError(plugin, 'options', new CaptureError('CONFIG_INVALID', detail));
}

/** `include[0]`, `clientCertificates[1].pfx`: a path as a user would write it. */
function optionPath(path: readonly PropertyKey[]): string {
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : index ? `.${String(part)}` : String(part))).join('');
}
