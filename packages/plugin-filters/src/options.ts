import { z, compileUrlPattern, describeValue, validatePluginOptions, type CompiledPattern, type PluginFactoryContext, type UrlPattern } from '@capture/core';
import { parseMethods } from './methods.js';

/** What users write: `filters({ excludeAssets: true, include: ['/api'], exclude: [/analytics/], methods: ['GET', 'POST'] })`. */
export interface FiltersOptions {
  /** Do not capture responses that are images, JavaScript or CSS (by content type, else by the URL's extension). Default false. */
  excludeAssets?: boolean;
  /**
   * Capture only URLs that match one of these: plain substrings of the full URL (`'/api/'`) or
   * RegExps. In JSON and YAML configs, which have no RegExp, a string written `/pattern/flags`
   * is a regex. Empty or omitted: every URL.
   */
  include?: UrlPattern | readonly UrlPattern[];
  /** Never capture URLs that match one of these; wins over `include`. */
  exclude?: UrlPattern | readonly UrlPattern[];
  /** Capture only these methods: a list or a comma-separated string, any case. Empty or omitted: every method. */
  methods?: string | readonly string[];
}

/** The options compiled once, when the plugin is created: what the taps use. */
export interface ResolvedFiltersOptions {
  /** See {@link FiltersOptions.excludeAssets}. */
  readonly excludeAssets: boolean;
  /** See {@link FiltersOptions.include}. */
  readonly include: readonly CompiledPattern[];
  /** See {@link FiltersOptions.exclude}. */
  readonly exclude: readonly CompiledPattern[];
  /** Upper-case method names; empty means every method. */
  readonly methods: readonly string[];
}

/** A list option that also takes a single pattern; each entry is compiled or reported with its index. */
const patterns = (regexStrings: boolean) =>
  z
    .unknown()
    .transform((value, ctx): CompiledPattern[] => {
      const list = Array.isArray(value) ? (value as unknown[]) : [value];
      const compiled: CompiledPattern[] = [];
      list.forEach((entry, index) => {
        const result = compileUrlPattern(entry, { regexStrings });
        if (typeof result === 'string') {
          ctx.addIssue({ code: 'custom', message: result, path: Array.isArray(value) ? [index] : [], input: entry });
        } else compiled.push(result);
      });
      return compiled;
    })
    .optional();

const methods = z
  .unknown()
  .transform((value, ctx): string[] => {
    const result = parseMethods(value);
    if (typeof result === 'string') ctx.addIssue({ code: 'custom', message: result, input: value });
    return typeof result === 'string' ? [] : result;
  })
  .optional();

/** The options schema: strict, so a misspelt option is an error rather than a silently ignored key. */
const optionsSchema = (regexStrings: boolean) =>
  z.strictObject({
    excludeAssets: z
      .boolean({ error: (issue) => `expected true or false, got ${describeValue(issue.input)}` })
      .default(false),
    include: patterns(regexStrings),
    exclude: patterns(regexStrings),
    methods,
  });
/** The plugin's name, its tap name, and `skip.by` on the exchanges it filters. */
export const PLUGIN_NAME = 'filters';
const SCHEMAS = { code: optionsSchema(false), data: optionsSchema(true) };

/**
 * Validates and compiles the options. Throws a `PluginError` (`CONFIG_INVALID`) whose message is
 * one line naming the option and the bad value, e.g.
 * `filters: option "include[0]": invalid regular expression "/[/": Unterminated character class`.
 */
export function resolveFiltersOptions(options: unknown = {}, context: PluginFactoryContext = { format: 'code' }): ResolvedFiltersOptions {
  const { excludeAssets, include = [], exclude = [], methods = [] } = validatePluginOptions(PLUGIN_NAME, SCHEMAS[context.format], options);
  return { excludeAssets, include, exclude, methods };
}
