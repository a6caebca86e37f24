import type { Command } from 'commander';
import type { CapturePlugin, CommandContext } from '@capture/core';
import type { CliIo } from '../io.js';
import type { LoadedConfig } from '../load-config.js';
import type { StartFlags } from './session.js';

/** The flags of `capture browser`. */
export interface BrowserFlags extends StartFlags {
  browser?: string;
  headless?: boolean;
  attach?: boolean;
}

/** Adds `capture browser`'s options. */
export function addBrowserOptions(command: Command): Command {
  return command;
}

/** What `capture browser` needs from the CLI. */
export interface BrowserDeps {
  loaded: LoadedConfig;
  plugins(): CapturePlugin[];
  context: CommandContext;
  io: CliIo;
}

/** `capture browser`. */
export async function runBrowser(_url: string | undefined, _flags: BrowserFlags, _deps: BrowserDeps): Promise<number> {
  return 1;
}
