#!/usr/bin/env node
import { runCli } from './cli.js';

const code = await runCli(process.argv.slice(2));
process.exitCode = code;
// The command is done: exit once what it printed is flushed, rather than when the event loop
// drains, so a handle a plugin left open (a writer thread after a failed start) cannot keep
// `capture` running.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
