import { Option, type Command } from 'commander';
import { parseNoProxy } from '../environment/parse-no-proxy.js';
import { SHELLS, type Shell } from '../environment/shell.js';
import { parsePort } from './port.js';

/** The port `capture start` listens on by default, where `capture env` expects it. */
export const DEFAULT_PROXY_PORT = 5555;

/** The flags of `capture env`. */
export interface EnvFlags {
  port?: number;
  shell?: Shell;
  unset?: boolean;
  /** `--no-proxy HOSTS` (see `RunFlags.proxy`). */
  proxy?: string[] | boolean;
}

/** Adds `capture env`'s options (kept apart from the command's code, which loads only when it runs). */
export function addEnvOptions(command: Command): Command {
  return command
    .addOption(new Option('-p, --port <port>', `the port the running capture listens on (default ${DEFAULT_PROXY_PORT})`).argParser(parsePort))
    .addOption(new Option('--shell <shell>', 'the shell to print for (default: $SHELL, PowerShell on Windows)').choices(SHELLS))
    .option('--unset', 'print the lines that remove the environment again')
    .option('--no-proxy <hosts>', 'hosts (comma-separated, repeatable) programs reach directly instead of through capture', (value: string, previous: unknown) =>
      parseNoProxy(value, Array.isArray(previous) ? (previous as string[]) : []),
    );
}
