import { Option, type Command } from 'commander';
import { CaptureError } from '@capture/core';
import { CLI_OWNER, type StartFlag } from '../start-flags.js';

/** Reads back a flag the user typed on `capture start` (by its `flags` text); undefined when left alone. */
export type GivenFlag = (flags: string) => unknown;

/**
 * Adds flags to `capture start`, each under its `--help` heading, and returns how to read the
 * ones the user typed. Two owners (the CLI, plugins) claiming one flag name, short name or
 * option key is a `PLUGIN_INVALID` error naming both. The options already on `command` and
 * `reserved` (the program's, which commander also reads after the command name) are the CLI's.
 */
export function addStartFlags(command: Command, flags: readonly StartFlag[], reserved: readonly Option[] = []): GivenFlag {
  const claimed = new Map<string, string>();
  const claim = (key: string, owner: string, shown: string) => {
    const holder = claimed.get(key);
    if (holder !== undefined && holder !== owner) {
      throw new CaptureError(
        'PLUGIN_INVALID',
        holder === CLI_OWNER
          ? `plugin "${owner}" declares the capture start flag "${shown}", which capture already has`
          : `plugins "${holder}" and "${owner}" both declare the capture start flag "${shown}"`,
      );
    }
    claimed.set(key, owner);
  };
  for (const option of [...command.options, ...reserved]) claimOption(option, CLI_OWNER, claim);
  claim('--help', CLI_OWNER, '--help');
  claim('-h', CLI_OWNER, '-h');

  const options = new Map<string, Option>();
  for (const flag of flags) {
    const option = new Option(flag.flags, flag.description);
    if (flag.parse) option.argParser(flag.parse);
    if (flag.group) option.helpGroup(flag.group);
    claimOption(option, flag.owner, claim);
    command.addOption(option);
    options.set(flag.flags, option);
  }
  return (text) => {
    const option = options.get(text);
    if (!option) return undefined;
    const key = option.attributeName();
    return command.getOptionValueSource(key) === 'cli' ? command.getOptionValue(key) : undefined;
  };
}

/** Claims an option's long and short names and its key (`--no-web` and `--web` share `web`). */
function claimOption(option: Option, owner: string, claim: (key: string, owner: string, shown: string) => void): void {
  const shown = option.long ?? option.short ?? option.flags;
  if (option.long) claim(option.long, owner, option.long);
  if (option.short) claim(option.short, owner, option.short);
  claim(`key:${option.attributeName()}`, owner, shown);
}
