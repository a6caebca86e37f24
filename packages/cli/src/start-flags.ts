import { CaptureError } from '@capture/core';
import type { PluginFlagChoices, PluginOverrides, SharedOverride, StartCandidate } from './default-plugins.js';

/** Who declared a `capture start` flag: the CLI itself, or a plugin by name. */
export const CLI_OWNER = 'capture';

/** A `capture start` flag as the CLI offers it: the CLI's own, one that chooses plugins, or a plugin's. */
export interface StartFlag {
  /** Commander flags, e.g. `--include <pattern>` or `--no-web`. */
  flags: string;
  /** One line for `--help`. */
  description: string;
  /** Parses one occurrence; a thrown error is a usage error naming the flag. */
  parse?(value: string, previous: unknown): unknown;
  /** {@link CLI_OWNER} or the declaring plugin's name, for clash errors. */
  owner: string;
  /** The `--help` heading it is listed under; undefined for the CLI's main list. */
  group?: string;
}

/**
 * The heading a plugin's flags are listed under in `capture start --help`; for a plugin that
 * does not run unless asked for (collections, or a shipped plugin a config leaves out), it says
 * that one of them adds it.
 */
export function pluginGroup(name: string, runsByDefault = true): string {
  return runsByDefault ? `${name} options:` : `${name} options (each adds the ${name} plugin):`;
}

/** The heading of the flags that choose which plugins run. */
export const CHOICE_GROUP = 'Choosing plugins:';

/** The storage plugins `--save-responses` configures, whichever of them run. */
const STORAGE = ['history', 'collections'] as const;

const SAVE_TO = '--save-to <where>';
const SAVE_RESPONSES = '--save-responses';
const NO_SAVE_RESPONSES = '--no-save-responses';

/**
 * The flags that choose plugins: `--save-to`, `--save-responses` / `--no-save-responses` (for
 * whichever storage runs) and `--no-<name>` for each candidate that runs by default.
 */
export function choiceFlags(candidates: readonly StartCandidate[]): StartFlag[] {
  const flags: StartFlag[] = [
    {
      flags: SAVE_TO,
      description: 'save exchanges to "history" (the default) or to a Postman "collection"',
      owner: CLI_OWNER,
      group: CHOICE_GROUP,
      parse: (value) => {
        if (value !== 'history' && value !== 'collection') throw new CaptureError('USAGE', `--save-to expects "history" or "collection", got "${value}"`);
        return value;
      },
    },
    {
      flags: SAVE_RESPONSES,
      description: 'save each response with its request (history does by default, a collection only with this flag)',
      owner: CLI_OWNER,
      group: CHOICE_GROUP,
    },
    { flags: NO_SAVE_RESPONSES, description: 'save requests only, not their responses', owner: CLI_OWNER, group: CHOICE_GROUP },
  ];
  for (const { plugin, runsByDefault } of candidates) {
    if (runsByDefault) flags.push({ flags: `--no-${plugin.name}`, description: `do not run the ${plugin.name} plugin`, owner: CLI_OWNER, group: CHOICE_GROUP });
  }
  return flags;
}

/** Every flag the candidates declare, each under its plugin's heading, in candidate order. */
export function pluginFlags(candidates: readonly StartCandidate[]): StartFlag[] {
  return candidates.flatMap(({ plugin, runsByDefault }) =>
    (plugin.flags ?? []).map((flag): StartFlag => {
      const parse = flag.parse;
      return {
        flags: flag.flags,
        description: flag.description,
        owner: plugin.name,
        group: pluginGroup(plugin.name, runsByDefault),
        ...(parse ? { parse: (value: string, previous: unknown) => usageErrorOf(flag.flags, () => parse.call(flag, value, previous)) } : {}),
      };
    }),
  );
}

/**
 * What the flags given ask of the plugins. `given(flags)` returns the parsed value of a flag
 * the user typed (by its `flags` text), undefined for one left alone.
 */
export function choicesFromFlags(candidates: readonly StartCandidate[], given: (flags: string) => unknown): PluginFlagChoices {
  const overrides: PluginOverrides = new Map();
  const disabled = new Set<string>();
  const shared: SharedOverride[] = [];
  const override = (name: string, options: Record<string, unknown>) => overrides.set(name, { ...overrides.get(name), ...options });

  for (const { plugin, runsByDefault } of candidates) {
    if (runsByDefault && given(`--no-${plugin.name}`) !== undefined) disabled.add(plugin.name);
    for (const flag of plugin.flags ?? []) {
      const value = given(flag.flags);
      if (value !== undefined) override(plugin.name, usageErrorOf(flag.flags, () => flag.toOptions(value)) as Record<string, unknown>);
    }
  }
  const saveTo = given(SAVE_TO);
  if (saveTo === 'history') override('history', {});
  if (saveTo === 'collection') {
    if (!candidates.some(({ plugin }) => plugin.name === 'collections')) {
      throw new CaptureError('USAGE', '--save-to collection needs the collections plugin (@capture/plugin-collections), which this build of capture does not include; use --save-to history');
    }
    disabled.add('history');
    override('collections', {});
  }
  // --save-responses and --no-save-responses set one value; either one given means it.
  const saveResponses = given(SAVE_RESPONSES) ?? given(NO_SAVE_RESPONSES);
  if (saveResponses !== undefined) shared.push({ plugins: STORAGE, fallback: 'history', options: { saveResponses } });
  return { overrides, disabled, shared };
}

/** Runs a plugin's flag code; whatever it throws becomes a usage error that names the flag. */
function usageErrorOf<T>(flags: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const name = longName(flags);
    throw new CaptureError('USAGE', message.startsWith(name) ? message : `${name}: ${message}`, { cause: error });
  }
}

/** `--include` of `-i, --include <pattern>`. */
export function longName(flags: string): string {
  return /--[\w-]+/.exec(flags)?.[0] ?? flags;
}
