import type { Writable } from 'node:stream';
import type { CapturePlugin, PluginApiOf } from './plugin.js';

/** A positional argument of a plugin command. */
export interface CommandArgumentSpec {
  /** Its name in the usage line, e.g. `id`. */
  name: string;
  /** What it is. */
  description: string;
  /** True when it must be given. */
  required?: boolean;
  /** True when it takes all remaining words (only the last argument). */
  variadic?: boolean;
}

/** An option of a plugin command. */
export interface CommandOptionSpec {
  /** Commander-style flags, e.g. `-o, --output <file>`, `--json`, `--id <id...>`. */
  flags: string;
  /** What it does, shown in `--help`. */
  description: string;
  /** The value when the option is not given. */
  defaultValue?: string | boolean | string[];
  /** Allowed values; anything else is a usage error. */
  choices?: string[];
}

/** What a command's `run` receives. */
export interface CommandInput {
  /** Positional arguments in order (a variadic one as an array). */
  args: Array<string | string[] | undefined>;
  /** Options by their camelCased long name, e.g. `output` for `--output`. */
  options: Record<string, unknown>;
  /** The environment the command runs in. */
  context: CommandContext;
}

/** What the CLI gives a plugin command to work with. */
export interface CommandContext {
  /** The resolved data folder. */
  dataDir: string;
  /** Where to print results. */
  stdout: Writable;
  /** Where to print messages and errors. */
  stderr: Writable;
  /** True when stdout is a terminal (print tables and colours), false when piped. */
  isTTY: boolean;
  /** True when the command may ask the user a question (stdin is a terminal). */
  interactive: boolean;
  /** Asks a yes/no question on the terminal; resolves false when not interactive. */
  confirm(question: string): Promise<boolean>;
  /**
   * Finds another plugin the CLI loaded, by name, to use the API it publishes: what
   * `proxy.plugin(name)` is while a proxy runs, for commands, which run without one. Undefined
   * when that plugin is not loaded. Optional, so contexts made by hand (tests, other hosts) may
   * leave it out.
   */
  plugin?<Name extends string>(name: Name): CapturePlugin<PluginApiOf<Name>> | undefined;
}

/**
 * A subcommand a plugin adds to the `capture` command, e.g. `capture history list`.
 * Declarative, so plugins do not depend on the CLI's argument parser.
 */
export interface CommandSpec {
  /** The word that selects it, e.g. `history`. */
  name: string;
  /** One line for `--help`. */
  description: string;
  /** Positional arguments. */
  arguments?: CommandArgumentSpec[];
  /** Options. */
  options?: CommandOptionSpec[];
  /** Nested subcommands, e.g. `list` and `show` under `history`. */
  subcommands?: CommandSpec[];
  /**
   * Runs the command. Resolve to the exit code (0 when omitted). Throw a `CaptureError` for a
   * runtime failure: the CLI prints its message on one line and exits 1.
   */
  run?(input: CommandInput): Promise<number | void> | number | void;
}
