import { Command, Option } from 'commander';
import type { CommandContext, CommandSpec } from '@capture/core';

/** Receives the exit code a plugin command resolved with. */
export type ExitCodeSink = (code: number) => void;

/** Adds a plugin's declarative command (and its subcommands) to the CLI's parser. */
export function registerPluginCommand(parent: Command, spec: CommandSpec, context: CommandContext, setExitCode: ExitCodeSink): Command {
  const command = parent.command(spec.name).description(spec.description);
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
  for (const sub of spec.subcommands ?? []) registerPluginCommand(command, sub, context, setExitCode);
  const run = spec.run;
  if (run) {
    command.action(async (...received: unknown[]) => {
      const self = received.at(-1) as Command;
      const args = received.slice(0, -2) as Array<string | string[] | undefined>;
      const code = await run({ args, options: self.opts(), context });
      setExitCode(code ?? 0);
    });
  }
  return command;
}
