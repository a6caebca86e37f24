/**
 * Which plugins a `capture` invocation needs, known from its arguments before anything is
 * loaded: `capture history list` imports the history plugin alone, `capture --version` none.
 */

/** What one top-level command needs loaded. */
export interface CommandNeeds {
  /**
   * The shipped plugins it needs created: those that add it, then those its code looks up by
   * name (`context.plugin`, e.g. `capture openapi` reads the history plugin's API).
   */
  readonly plugins: readonly string[];
  /** True when it starts capture, so every plugin that may run is created for its flags. */
  readonly startsCapture?: boolean;
}

/**
 * The top-level commands the shipped plugins add (their `commands`), with what each needs.
 * test/command-route.test.ts keeps it true: it creates every shipped plugin and compares.
 */
export const SHIPPED_COMMANDS: Readonly<Record<string, CommandNeeds>> = {
  ca: { plugins: ['https', 'os-certs'] },
  history: { plugins: ['history'] },
  collection: { plugins: ['collections'] },
  openapi: { plugins: ['openapi', 'history'] },
};

/** The CLI's own commands, with the shipped plugins their code looks up by name. */
export const CLI_COMMANDS: Readonly<Record<string, CommandNeeds>> = {
  start: { plugins: [], startsCapture: true },
  run: { plugins: [], startsCapture: true },
  // Attaching uses the CA (https); Firefox trusts it through os-certs.
  browser: { plugins: ['https', 'os-certs'], startsCapture: true },
  env: { plugins: ['https'] },
};

/** How one invocation is served. */
export type CommandRoute =
  /** `capture --version`: print it, load nothing. */
  | { kind: 'version' }
  /** A known command: only the plugins it needs. */
  | { kind: 'command'; name: string; needs: CommandNeeds }
  /** Anything else (`--help`, an unknown command or option first): every plugin, as before. */
  | { kind: 'all' };

/**
 * The route of `argv` (after the script separator is handled): program options that take no
 * part in choosing (`-c FILE`, `--config FILE`, `--config=FILE`) are skipped; then `-v` or
 * `--version` is the version, no word at all is `start` (the default command), and a first word
 * that is a known command (or `help` and one) is that command.
 */
export function commandRoute(argv: readonly string[]): CommandRoute {
  let at = 0;
  while (at < argv.length) {
    const arg = argv[at]!;
    if (arg === '-c' || arg === '--config') at += 2;
    else if (arg.startsWith('--config=')) at += 1;
    else break;
  }
  const first = argv[at];
  if (first === undefined) return { kind: 'command', name: 'start', needs: CLI_COMMANDS.start! };
  if (first === '-v' || first === '--version') return { kind: 'version' };
  // `capture help history` is `capture history --help`.
  const name = first === 'help' ? argv[at + 1] : first;
  const needs = name === undefined ? undefined : (Object.hasOwn(CLI_COMMANDS, name) ? CLI_COMMANDS[name] : Object.hasOwn(SHIPPED_COMMANDS, name) ? SHIPPED_COMMANDS[name] : undefined);
  return needs ? { kind: 'command', name: name!, needs } : { kind: 'all' };
}
