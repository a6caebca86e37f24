#!/usr/bin/env node
import { commandRoute } from './command-route.js';
import { CLI_VERSION } from './version.js';
import { keepWasmOnBaselineCompiler } from './wasm-tiers.js';

const argv = process.argv.slice(2);
keepWasmOnBaselineCompiler();
// `capture --version` needs nothing else: the CLI (commander, config loading, core) loads only
// for the other commands.
const code = commandRoute(argv).kind === 'version' ? printVersion() : await (await import('./cli.js')).runCli(argv);
process.exitCode = code;
// The command is done: exit once what it printed is flushed, rather than when the event loop
// drains, so a handle a plugin left open (a writer thread after a failed start) cannot keep
// `capture` running.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));

function printVersion(): number {
  process.stdout.write(`${CLI_VERSION}\n`);
  return 0;
}
