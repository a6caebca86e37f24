import type { CapturePlugin } from '@capture/core';
import filters, { type FiltersOptions } from '@capture/plugin-filters';
import https, { type HttpsOptions } from '@capture/plugin-https';
import history, { type HistoryOptions } from '@capture/plugin-history';
import osCerts, { type OsCertsOptions } from '@capture/plugin-os-certs';
import collections, { parseGroupBy, type CollectionsOptions } from '@capture/plugin-collections';
import web, { type WebOptions } from '@capture/plugin-web';
import { CaptureError } from '@capture/core';

/**
 * A `capture start` flag that configures a plugin (the contract's `--include`, `--save-to`, …).
 * Each plugin's issue adds its flags to {@link PLUGIN_FLAGS}; the CLI turns the flags given
 * into option overrides per plugin and applies them to the default plugins or, through
 * `reconfigure`, to the plugins the config created.
 */
export interface PluginFlag {
  /** Commander flags, e.g. `--include <pattern>` or `--exclude-assets`. */
  flags: string;
  /** Shown in `capture start --help`. */
  description: string;
  /** The name of the plugin it configures (`filters`, `history`, …). */
  plugin: string;
  /** Parses one occurrence (repeatable flags get the previous value); a thrown error is a usage error. */
  parse?: (value: string, previous: unknown) => unknown;
  /** The options this flag's value means for its plugin, merged over the plugin's own. */
  toOptions?(value: unknown): Record<string, unknown>;
  /** True for a `--no-<plugin>` flag: giving it leaves the plugin out. */
  disables?: boolean;
  /**
   * For a flag that chooses between plugins (`--save-to`): per plugin name, the options the
   * value gives that plugin, or `false` to leave that plugin out. A thrown error is a usage error.
   */
  select?(value: unknown): Record<string, Record<string, unknown> | false>;
  /**
   * For a flag several plugins share (`--save-responses`, for whichever storage runs): the
   * plugins its options go to, each of them that runs. Naming a plugin here never adds it; only
   * when none of them runs is `plugin` added for the flag, as for any other flag.
   */
  appliesTo?: readonly string[];
}

/** `/pattern/flags` as on the command line: a regex; anything else is a plain substring. */
const REGEX_FLAG_VALUE = /^\/(.*)\/([dgimsuvy]*)$/s;

/** Reads a URL pattern flag: `/pattern/flags` is a regex, anything else a substring of the URL. */
export function patternFromFlag(flag: string, value: string): string | RegExp {
  const literal = REGEX_FLAG_VALUE.exec(value);
  if (!literal) return value;
  try {
    return new RegExp(literal[1]!, literal[2]);
  } catch (error) {
    const reason = (error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    throw new CaptureError('USAGE', `${flag}: invalid regular expression ${JSON.stringify(value)}: ${reason}`);
  }
}

/** Flags that configure plugins, in the order `--help` lists them. */
export const PLUGIN_FLAGS: PluginFlag[] = [
  // https: interception is on by default; without it CONNECT is tunnelled blindly.
  { flags: '--no-https', description: 'do not intercept HTTPS (CONNECT tunnels pass through blindly)', plugin: 'https', disables: true },
  // filters: /pattern/flags becomes a RegExp here (the contract's command-line spelling); the
  // factory validates the rest (one line, exit 1).
  { flags: '--exclude-assets', description: 'do not capture images, JavaScript and CSS', plugin: 'filters', toOptions: () => ({ excludeAssets: true }) },
  {
    flags: '--include <pattern>',
    description: 'capture only URLs containing this text or matching /regex/flags (repeatable: any one matches)',
    plugin: 'filters',
    parse: (value, previous) => [...(Array.isArray(previous) ? previous : []), patternFromFlag('--include', value)],
    toOptions: (value) => ({ include: value }),
  },
  {
    flags: '--exclude <pattern>',
    description: 'never capture URLs containing this text or matching /regex/flags (repeatable; wins over --include)',
    plugin: 'filters',
    parse: (value, previous) => [...(Array.isArray(previous) ? previous : []), patternFromFlag('--exclude', value)],
    toOptions: (value) => ({ exclude: value }),
  },
  { flags: '--methods <list>', description: 'capture only these methods, e.g. GET,POST', plugin: 'filters', toOptions: (value) => ({ methods: value }) },
  // history: where exchanges are saved, and whether their responses are.
  {
    flags: '--save-to <where>',
    description: 'save exchanges to "history" (the default) or to a Postman "collection"',
    plugin: 'history',
    parse: (value) => {
      if (value !== 'history' && value !== 'collection') throw new CaptureError('USAGE', `--save-to expects "history" or "collection", got "${value}"`);
      return value;
    },
    select: (value): Record<string, Record<string, unknown> | false> => {
      if (value === 'history') return { history: {} };
      if (!DEFAULT_PLUGINS.some((entry) => entry.name === 'collections')) {
        throw new CaptureError('USAGE', '--save-to collection needs the collections plugin (@capture/plugin-collections), which this build of capture does not include; use --save-to history');
      }
      return { history: false, collections: {} };
    },
  },
  // Whichever storage runs (history, collections, or both from a config) saves responses or not.
  {
    flags: '--save-responses',
    description: 'save each response with its request (history does by default, a collection only with this flag)',
    plugin: 'history',
    appliesTo: ['history', 'collections'],
    toOptions: (value) => ({ saveResponses: value }),
  },
  {
    flags: '--no-save-responses',
    description: 'save requests only, not their responses',
    plugin: 'history',
    appliesTo: ['history', 'collections'],
    toOptions: (value) => ({ saveResponses: value }),
  },
  // collections: which collection, and its folders. Either flag also turns collections on.
  { flags: '--collection <name>', description: 'the Postman collection to save to (default "Captured requests"), in <data>/collections', plugin: 'collections', toOptions: (value) => ({ name: value }) },
  {
    flags: '--group-by <grouping>',
    description: 'organize the collection in folders by domain, endpoint, or domain,endpoint (default: none, in capture order)',
    plugin: 'collections',
    parse: (value) => {
      const levels = parseGroupBy(value);
      if (typeof levels === 'string') throw new CaptureError('USAGE', `--group-by ${levels.replace(/^expected/, 'expects')}`);
      return levels;
    },
    toOptions: (value) => ({ groupBy: value }),
  },
  // web: the live view of captured traffic, on by default.
  { flags: '--no-web', description: 'do not serve the live web view', plugin: 'web', disables: true },
  {
    flags: '--web-port <port>',
    description: 'port of the live web view (default 5556, or a free one when 5556 is taken; 0 picks a free one)',
    plugin: 'web',
    parse: (value) => {
      if (!/^\d+$/.test(value) || Number(value) > 65535) throw new CaptureError('USAGE', `--web-port expects a number from 0 to 65535, got "${value}"`);
      return Number(value);
    },
    toOptions: (value) => ({ webPort: value }),
  },
];

/** A plugin `capture start` runs when the config names no plugins, and how to create it. */
export interface DefaultPlugin {
  /** Its name (the same as the plugin's `name`). */
  name: string;
  /** Creates it with the options from flags. */
  create(options: Record<string, unknown>): CapturePlugin | Promise<CapturePlugin>;
  /**
   * True when it runs only if asked for: a flag that configures it adds it (e.g. collections
   * with `--save-to collection`), else it stays out of the defaults.
   */
  optIn?: boolean;
  /**
   * True for a plugin that only adds commands (os-certs): `capture start` never runs it unless
   * the config lists it, and its commands are offered even with a config that does not list it,
   * when the plugins it depends on are there.
   */
  commandsOnly?: boolean;
}

/**
 * The defaults of `capture start`, in order. The contract's defaults are https, filters, history
 * (requests and responses saved) and web; each plugin's issue adds its entry here.
 */
export const DEFAULT_PLUGINS: DefaultPlugin[] = [
  { name: 'https', create: (options) => https(options as HttpsOptions) },
  { name: 'filters', create: (options) => filters(options as FiltersOptions) },
  { name: 'history', create: (options) => history(options as HistoryOptions) },
  { name: 'os-certs', create: (options) => osCerts(options as OsCertsOptions), commandsOnly: true },
  // Opt-in: `--save-to collection` (or `--collection`, `--group-by`) adds it.
  { name: 'collections', create: (options) => collections(options as CollectionsOptions), optIn: true },
  // The live web view on 127.0.0.1:5556 (`--no-web` leaves it out); it prints its URL with the token.
  { name: 'web', create: (options) => web(options as WebOptions) },
];
