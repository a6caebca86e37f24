import { Command, CommanderError, Option } from 'commander';
import { resolveDataDir, type CapturePlugin, type CommandContext, type PluginApiOf } from '@capture/core';
import { addBrowserOptions, type BrowserFlags } from './commands/browser-options.js';
import { addEnvOptions, type EnvFlags } from './commands/env-options.js';
import { parsePort } from './commands/port.js';
import { addRunOptions, type RunFlags } from './commands/run-options.js';
import type { StartFlags } from './commands/session.js';
import { addStartFlags, type GivenFlag } from './commands/start-options.js';
import { addModeFlags } from './commands/mode-flags.js';
import { commandRoute } from './command-route.js';
import { commandPlugins, resolveStartPlugins, startCandidates, type StartCandidate } from './default-plugins.js';
import { confirm, processIo, type CliIo } from './io.js';
import { loadConfig, type LoadedConfig } from './load-config.js';
import { registerPluginCommand } from './plugin-commands.js';
import { choiceFlags, choicesFromFlags, pluginFlags } from './start-flags.js';
import { CLI_VERSION } from './version.js';

export { CLI_VERSION } from './version.js';

const CONFIG_HELP = 'use this config file instead of searching for capture.config.* from here up';

/** Exit codes: 0 done, 1 runtime error, 2 usage error. */
export const EXIT = { OK: 0, ERROR: 1, USAGE: 2 } as const;

/**
 * Runs the `capture` command with `argv` (without `node` and the script) and resolves with the
 * exit code. Usage errors print the usage and give 2; runtime errors print one line and give 1.
 */
export async function runCli(rawArgv: string[], io: CliIo = processIo()): Promise<number> {
  const argv = withoutScriptSeparator(rawArgv);
  const route = commandRoute(argv);
  // As commander prints it, whatever the config: nothing else is needed for it.
  if (route.kind === 'version') {
    io.stdout.write(`${CLI_VERSION}\n`);
    return EXIT.OK;
  }
  let exitCode: number = EXIT.OK;
  const configFile = findConfigFlag(argv);
  let loaded: LoadedConfig | undefined;
  let configError: unknown;
  try {
    loaded = await loadConfig({ cwd: io.cwd, ...(configFile ? { configFile } : {}) });
  } catch (error) {
    configError = error;
  }

  const program = new Command('capture')
    .description('capture: an HTTP/HTTPS capture proxy. Point a device at it and every request it sends is recorded.')
    .version(CLI_VERSION, '-v, --version', 'print the version')
    .option('-c, --config <file>', CONFIG_HELP)
    .exitOverride()
    .showHelpAfterError('(run "capture --help" for usage)')
    // With a broken config, a usage error is most likely the config's fault (its plugins' commands
    // and flags are missing): the config error is printed instead.
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => void (configError ? undefined : io.stderr.write(text)) });

  let plugins: CapturePlugin[];
  let candidates: StartCandidate[];
  try {
    // A known command creates only the shipped plugins it needs (`capture history list`: history;
    // `capture start` and `capture run` reach no plugin command: none); anything else, all. The
    // config's plugins are always registered, so their command clashes are always reported.
    // Only commands that start capture create every plugin that may run, for its flags.
    const configured = loaded?.config.plugins;
    plugins = await commandPlugins(configured, route.kind === 'all' ? undefined : new Set(route.needs.plugins));
    candidates = route.kind === 'all' || route.needs.startsCapture ? await startCandidates(configured) : [];
  } catch (error) {
    // A default plugin's factory that throws must still end in one clear line.
    return printError(error, io);
  }

  // `capture start` is built from the plugins that may run: the CLI's own flags, the flags that
  // choose plugins, then each plugin's flags under its own heading. `capture run` and `capture
  // browser` start capture the same way, so they take the same flags.
  const startFlags = [...choiceFlags(candidates), ...pluginFlags(candidates)];
  // `capture run` and `capture browser` listen on a free loopback port unless told otherwise.
  const withStartOptions = (command: Command, forOneProgram = false) =>
    addStartFlags(
      addModeFlags(
        command
          .addOption(new Option('-p, --port <port>', forOneProgram ? 'port to listen on (default: a free one)' : 'port to listen on (0 picks a free one)').argParser(parsePort))
          .option('-H, --host <address>', forOneProgram ? 'address to listen on (default 127.0.0.1)' : 'address to listen on (default 0.0.0.0: all interfaces)')
          // Read by the program before parsing (plugin flags depend on the config); listed here for --help.
          .option('-c, --config <file>', CONFIG_HELP)
          .option('--json', 'print one JSON object per exchange instead of a line of text')
          .option('-q, --quiet', 'do not print exchanges')
          .option('--hide-filtered', 'do not print exchanges that are not captured (they are still counted)'),
        io.env,
      ),
      startFlags,
      program.options,
    );
  const startPlugins = (given: GivenFlag) => {
    if (configError) throw configError;
    return resolveStartPlugins(candidates, choicesFromFlags(candidates, given));
  };
  const start = program.command('start', { isDefault: true }).description('start the proxy (the default command)');
  const run = program
    .command('run')
    .description('start capture, run a command through it (its HTTP and HTTPS captured, tagged run:<command>), then stop; put -- before the command')
    .argument('<command...>', 'the command and its arguments');
  const env = program.command('env').description('print the environment that routes programs through a running capture, for eval "$(capture env)"');
  const browser = program
    .command('browser')
    .description('open a browser with a fresh profile that uses capture and trusts its CA (removed on exit)')
    .argument('[url]', 'the page to open');
  let given: { start: GivenFlag; run: GivenFlag; browser: GivenFlag };
  try {
    given = { start: withStartOptions(start), run: withStartOptions(run, true), browser: withStartOptions(browser, true) };
    addRunOptions(run);
    addEnvOptions(env);
    addBrowserOptions(browser);
  } catch (error) {
    return printError(error, io);
  }
  // Each command's code is imported when it runs: `capture history list` loads none of it.
  start.action(async (flags: StartFlags) => {
    const plugins = startPlugins(given.start);
    const { runStart } = await import('./commands/start.js');
    exitCode = await runStart(loaded!, flags, plugins, io);
  });
  run.action(async (command: string[], flags: RunFlags) => {
    const plugins = startPlugins(given.run);
    const { runProgram } = await import('./commands/run.js');
    exitCode = await runProgram(loaded!, flags, plugins, io, command);
  });

  const context: CommandContext = {
    dataDir: resolveDataDir({ dataDir: loaded?.config.dataDir, env: io.env, cwd: io.cwd }),
    stdout: io.stdout,
    stderr: io.stderr,
    isTTY: Boolean(io.stdout.isTTY),
    interactive: Boolean(io.stdin.isTTY),
    confirm: (question) => confirm(io, question),
    // Commands meet other plugins' APIs by name, as plugins do through proxy.plugin(name).
    plugin: <Name extends string>(name: Name) => plugins.find((plugin) => plugin.name === name) as CapturePlugin<PluginApiOf<Name>> | undefined,
  };
  env.action(async (flags: EnvFlags) => {
    if (configError) throw configError;
    const { printEnv } = await import('./commands/env.js');
    exitCode = await printEnv(flags, context, io);
  });
  browser.action(async (url: string | undefined, flags: BrowserFlags) => {
    const { runBrowser } = await import('./commands/browser.js');
    exitCode = await runBrowser(url, flags, { loaded: loaded!, plugins: () => startPlugins(given.browser), context, io });
  });

  try {
    for (const plugin of plugins) {
      for (const spec of plugin.commands ?? []) {
        registerPluginCommand(program, spec, context, (code) => (exitCode = code), plugin.name).hook('preAction', () => {
          if (configError) throw configError;
        });
      }
    }
  } catch (error) {
    return printError(error, io);
  }

  const first = argv.find((arg) => !arg.startsWith('-'));
  const known = new Set(program.commands.flatMap((command) => [command.name(), ...command.aliases()]).concat('help'));
  if (first !== undefined && argv[0] === first && !known.has(first)) {
    if (configError) return printError(configError, io);
    io.stderr.write(`capture: unknown command "${first}"\n\n`);
    io.stderr.write(program.helpInformation());
    return EXIT.USAGE;
  }

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.OK;
      if (configError) return printError(configError, io);
      return EXIT.USAGE;
    }
    // By code, not instanceof: a plugin loaded from a config may bring its own copy of core.
    if (isUsageError(error)) {
      io.stderr.write(`capture: ${error.message}\n`);
      return EXIT.USAGE;
    }
    return printError(error, io);
  }
  return exitCode;
}

/**
 * `npx -y pnpm@12.4.2 start -- --port 8080`, the npm habit, reaches the CLI as `start -- --port
 * 8080`: pnpm passes the `--` on. `capture start` takes no arguments, so a `--` there can only
 * be that separator and is dropped; everywhere else (`capture run -- CMD`) it keeps its meaning.
 */
function withoutScriptSeparator(argv: string[]): string[] {
  const separator = argv.indexOf('--');
  if (argv[0] !== 'start' || separator === -1) return argv;
  return [...argv.slice(0, separator), ...argv.slice(separator + 1)];
}

/** Prints a runtime error in one line and gives its exit code (1). */
function printError(error: unknown, io: CliIo): number {
  io.stderr.write(`capture: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT.ERROR;
}

/**
 * Finds `--config FILE`, `--config=FILE` or `-c FILE` before the parser runs, since plugin
 * commands depend on the config. Nothing after `--` is capture's (`capture run -- sh -c …`).
 */
function findConfigFlag(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return undefined;
    if (arg === '--config' || arg === '-c') return argv[i + 1];
    if (arg.startsWith('--config=')) return arg.slice('--config='.length);
  }
  return undefined;
}

/** True for an error that means "wrong usage" (exit 2), whichever copy of `@capture/core` made it. */
function isUsageError(error: unknown): error is Error & { code: 'USAGE' } {
  return error instanceof Error && (error as Error & { code?: unknown }).code === 'USAGE';
}
