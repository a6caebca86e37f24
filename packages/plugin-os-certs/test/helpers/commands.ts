import { osCertsCommands } from '../../src/commands.js';
import type { Host } from '../../src/host.js';
import { resolveOsCertsOptions, type OsCertsOptions } from '../../src/options.js';
import type { StatusRow } from '../../src/status.js';
import { commandContext } from './env.js';

/** Runs `capture ca <name>` in-process on a machine described by `host`, keeping its output. */
export async function runCa(
  name: 'install' | 'uninstall' | 'status',
  options: Record<string, unknown>,
  { dataDir, host, pluginOptions = {} }: { dataDir: string; host: Partial<Host>; pluginOptions?: OsCertsOptions },
): Promise<{ code: number; stdout: string; stderr: string }> {
  const [ca] = osCertsCommands(resolveOsCertsOptions(pluginOptions), host);
  const spec = ca!.subcommands!.find((sub) => sub.name === name)!;
  const context = commandContext(dataDir);
  const code = (await spec.run!({ args: [], options, context })) ?? 0;
  return { code, stdout: context.out.text(), stderr: context.err.text() };
}

/** `capture ca status --json`'s rows. */
export async function statusRows(options: Record<string, unknown>, setup: Parameters<typeof runCa>[2]): Promise<StatusRow[]> {
  const { stdout } = await runCa('status', { ...options, json: true }, setup);
  return (JSON.parse(stdout) as { stores: StatusRow[] }).stores;
}
