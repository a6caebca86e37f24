import { createRequire } from 'node:module';
import { Command, CommanderError, Option } from 'commander';
import { CaptureError, resolveDataDir, type CapturePlugin, type CommandContext } from '@capture/core';
import { parsePort, runStart, type StartFlags } from './commands/start.js';
import { choicesFromFlags, commandPlugins } from './default-plugins.js';
import { PLUGIN_FLAGS } from './plugin-flags.js';
import { confirm, processIo, type CliIo } from './io.js';
import { loadConfig, type LoadedConfig } from './load-config.js';
import { registerPluginCommand } from './plugin-commands.js';

/** The version of `@capture/cli`. */
export const CLI_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/** Exit codes: 0 done, 1 runtime error, 2 usage error. */
export const EXIT = { OK: 0, ERROR: 1, USAGE: 2 } as const;

/**
 * Runs the `capture` command with `argv` (without `node` and the script) and resolves with the
 * exit code. Usage errors print the usage and give 2; runtime errors print one line and give 1.
 */
export async function runCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  let exitCode: number = EXIT.OK;
  const program = new Command('capture')
    .description('capture: an HTTP/HTTPS capture proxy. Point a device at it and every request it sends is recorded.')
    .version(CLI_VERSION, '-v, --version', 'print the version')
    .option('-c, --config <file>', 'use this config file instead of searching for capture.config.* from here up')
    .exitOverride()
    .showHelpAfterError('(run "capture --help" for usage)')
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });

  const configFile = findConfigFlag(argv);
  let loaded: LoadedConfig | undefined;
  let configError: unknown;
  try {
    loaded = await loadConfig({ cwd: io.cwd, ...(configFile ? { configFile } : {}) });
  } catch (error) {
    configError = error;
  }

  const start = program
    .command('start', { isDefault: true })
    .description('start the proxy (the default command)')
    .addOption(new Option('-p, --port <port>', 'port to listen on (0 picks a free one)').argParser(parsePort))
    .option('-H, --host <address>', 'address to listen on (default 0.0.0.0: all interfaces)')
    .option('--json', 'print one JSON object per exchange instead of a line of text')
    .option('-q, --quiet', 'do not print exchanges')
    .option('--hide-filtered', 'do not print exchanges that are not captured (they are still counted)');
  const pluginOptions = new Map<string, Option>();
  for (const flag of PLUGIN_FLAGS) {
    const option = new Option(flag.flags, flag.description);
    if (flag.parse) option.argParser(flag.parse);
    start.addOption(option);
    pluginOptions.set(flag.flags, option);
  }
  start.action(async (flags: StartFlags) => {
    if (configError) throw configError;
    const choices = choicesFromFlags((flagSpec) => {
      const name = pluginOptions.get(flagSpec)!.attributeName();
      return start.getOptionValueSource(name) === 'cli' ? start.getOptionValue(name) : undefined;
    });
    exitCode = await runStart(loaded!, flags, choices, io);
  });

  let plugins: CapturePlugin[];
  try {
    plugins = await commandPlugins(loaded?.config.plugins);
  } catch (error) {
    // A default plugin's factory that throws must still end in one clear line.
    io.stderr.write(`capture: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.ERROR;
  }
  const context: CommandContext = {
    dataDir: resolveDataDir({ dataDir: loaded?.config.dataDir, env: io.env, cwd: io.cwd }),
    stdout: io.stdout,
    stderr: io.stderr,
    isTTY: Boolean(io.stdout.isTTY),
    interactive: Boolean(io.stdin.isTTY),
    confirm: (question) => confirm(io, question),
    // Commands meet other plugins' APIs by name, as plugins do through proxy.plugin(name).
    plugin: <Api>(name: string) => plugins.find((plugin) => plugin.name === name) as CapturePlugin<Api> | undefined,
  };
  try {
    for (const plugin of plugins) {
      for (const spec of plugin.commands ?? []) {
        registerPluginCommand(program, spec, context, (code) => (exitCode = code), plugin.name).hook('preAction', () => {
          if (configError) throw configError;
        });
      }
    }
  } catch (error) {
    io.stderr.write(`capture: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.ERROR;
  }

  const first = argv.find((arg) => !arg.startsWith('-'));
  const known = new Set(program.commands.flatMap((command) => [command.name(), ...command.aliases()]).concat('help'));
  if (first !== undefined && argv[0] === first && !known.has(first)) {
    io.stderr.write(`capture: unknown command "${first}"\n\n`);
    io.stderr.write(program.helpInformation());
    return EXIT.USAGE;
  }

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.OK;
      return EXIT.USAGE;
    }
    if (error instanceof CaptureError && error.code === 'USAGE') {
      io.stderr.write(`capture: ${error.message}\n`);
      return EXIT.USAGE;
    }
    io.stderr.write(`capture: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.ERROR;
  }
  return exitCode;
}

/** Finds `--config FILE`, `--config=FILE` or `-c FILE` before the parser runs, since plugin commands depend on the config. */
function findConfigFlag(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--config' || arg === '-c') return argv[i + 1];
    if (arg.startsWith('--config=')) return arg.slice('--config='.length);
  }
  return undefined;
}
