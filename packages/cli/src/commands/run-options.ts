import type { Command } from 'commander';
import { parseNoProxy } from '../environment/parse-no-proxy.js';
import type { StartFlags } from './session.js';

/** The flags of `capture run` beyond `capture start`'s. */
export interface RunFlags extends StartFlags {
  /**
   * `--no-proxy HOSTS`: hosts the program reaches directly, not through capture. Commander
   * files a `--no-` flag under its positive name, and gives `true` when it is not used.
   */
  proxy?: string[] | boolean;
}

/** Adds `--no-proxy HOSTS` (repeatable) to a command that starts a program through capture. */
export function addRunOptions(command: Command): Command {
  return command.option(
    '--no-proxy <hosts>',
    'hosts (comma-separated, repeatable) the program reaches directly instead of through capture; default none, localhost included',
    (value: string, previous: unknown) => parseNoProxy(value, Array.isArray(previous) ? (previous as string[]) : []),
  );
}

/** The hosts of `--no-proxy`, none when it was not given. */
export function noProxyHosts(flags: Pick<RunFlags, 'proxy'>): string[] {
  return Array.isArray(flags.proxy) ? flags.proxy : [];
}
