import { Command, Option } from 'commander';
import { CaptureError, ensureDataDirSync, type CommandContext, type CommandSpec } from '@capture/core';

/** Receives the exit code a plugin command resolved with. */
export type ExitCodeSink = (code: number) => void;

/** The plugins that declared each plugin command (a group may have several). */
const owners = new WeakMap<Command, string[]>();
/**
 * Commands that are only groups (subcommands, no `run`, no arguments): two plugins may each add
 * subcommands to one group (the HTTPS plugin's `capture ca path` and the os-certs plugin's
 * `capture ca install`).
 */
const groups = new WeakSet<Command>();

/**
 * Adds a plugin's declarative command (and its subcommands) to the CLI's parser. A group that
 * exists already (same name, both groups) gets the new subcommands; any other name clash is a
 * `PLUGIN_INVALID` error naming both plugins. `plugin` names the declaring plugin in that error.
 */
export function registerPluginCommand(parent: Command, spec: CommandSpec, context: CommandContext, setExitCode: ExitCodeSink, plugin = 'a plugin'): Command {
  const existing = parent.commands.find((command) => command.name() === spec.name || command.aliases().includes(spec.name));
  if (existing) {
    const declared = owners.get(existing);
    if (!groups.has(existing) || !isGroup(spec)) {
      const by = declared ? `plugin "${declared[0]}"` : 'capture';
      throw new CaptureError('PLUGIN_INVALID', `plugin "${plugin}" adds the command "${commandPath(existing)}", which ${by} already has`);
    }
    declared?.push(plugin);
    for (const sub of spec.subcommands ?? []) registerPluginCommand(existing, sub, context, setExitCode, plugin);
    return existing;
  }
  const command = parent.command(spec.name).description(spec.description);
  owners.set(command, [plugin]);
  if (isGroup(spec)) groups.add(command);
  for (const argument of spec.arguments ?? []) {
    const name = `${argument.name}${argument.variadic ? '...' : ''}`;
    command.argument(argument.required ? `<${name}>` : `[${name}]`, argument.description);
  }
  for (const optionSpec of spec.options ?? []) {
    const option = new Option(optionSpec.flags, optionSpec.description);
    if (optionSpec.defaultValue !== undefined) option.default(optionSpec.defaultValue);
    if (optionSpec.choices) option.choices(optionSpec.choices);
    command.addOption(option);
  }
  for (const sub of spec.subcommands ?? []) registerPluginCommand(command, sub, context, setExitCode, plugin);
  const run = spec.run;
  if (run) {
    command.action(async (...received: unknown[]) => {
      const self = received.at(-1) as Command;
      const args = received.slice(0, -2) as Array<string | string[] | undefined>;
      warnAboutDataDir(context);
      const code = await run({ args, options: self.opts(), context });
      setExitCode(code ?? 0);
    });
  }
  return command;
}

/** Data folders already checked in this process (core hands out each warning once anyway). */
const checkedDataDirs = new Set<string>();

/**
 * Commands run without a proxy, so nothing else checks the data folder for them: it is created
 * private (0700) here, before the command's plugin writes into it, and one open to other users
 * is one `capture: warning: …` line on stderr. A folder that cannot be created is left to the
 * command, whose own error says what it could not do.
 */
function warnAboutDataDir(context: CommandContext): void {
  if (checkedDataDirs.has(context.dataDir)) return;
  checkedDataDirs.add(context.dataDir);
  let warning: string | undefined;
  try {
    warning = ensureDataDirSync(context.dataDir).warning;
  } catch {
    return;
  }
  if (warning) context.stderr.write(`capture: warning: ${warning}\n`);
}

function isGroup(spec: CommandSpec): boolean {
  return !spec.run && !spec.arguments?.length && Boolean(spec.subcommands?.length);
}

/** `capture ca install`, for messages. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}
