import net from 'node:net';
import type { CommandContext } from '@capture/core';
import type { HttpsApi } from '@capture/plugin-https';
import { NODE_PRELOAD, programEnvironment, proxyVariableNames } from '../environment/index.js';
import { commentLine, defaultShell, setLine, unsetLine } from '../environment/shell.js';
import type { CliIo } from '../io.js';
import { DEFAULT_PROXY_PORT, type EnvFlags } from './env-options.js';
import { noProxyHosts } from './run-options.js';

export { DEFAULT_PROXY_PORT, addEnvOptions, type EnvFlags } from './env-options.js';

/**
 * `capture env`: prints, for `eval "$(capture env)"`, the variables that route programs
 * through a capture already running on this machine and make them trust its CA (the one of
 * this data folder). Its exchanges carry the client's address as `source`; `capture run` is
 * what tags a program by name. Nothing is changed but the trust files in the data folder.
 */
export async function printEnv(flags: EnvFlags, context: CommandContext, io: CliIo): Promise<number> {
  const shell = flags.shell ?? defaultShell(io.env);
  const port = flags.port ?? DEFAULT_PROXY_PORT;
  const lines: string[] = [];
  if (flags.unset) {
    lines.push(commentLine(shell, 'capture env --unset: programs started from here no longer go through capture'));
    for (const name of proxyVariableNames()) {
      // NODE_OPTIONS keeps whatever the user had besides capture's preload.
      const kept = name === 'NODE_OPTIONS' ? withoutPreload(io.env.NODE_OPTIONS) : '';
      lines.push(kept ? setLine(shell, name, kept) : unsetLine(shell, name));
    }
  } else {
    const https: HttpsApi | undefined = context.plugin?.('https')?.api;
    const ca = https ? await https.ensureCa(context.dataDir) : undefined;
    const env = await programEnvironment({ dataDir: context.dataDir, proxyUrl: `http://127.0.0.1:${port}`, caPem: ca?.certPem, noProxy: noProxyHosts(flags), base: io.env });
    lines.push(commentLine(shell, `capture env: programs started from here go through capture at 127.0.0.1:${port}${ca ? ' and trust its CA' : ''}; undo with capture env --unset`));
    for (const [name, value] of Object.entries(env)) lines.push(setLine(shell, name, value));
    if (!(await listening(port))) io.stderr.write(`capture env: nothing listens on 127.0.0.1:${port} yet; start capture there ("capture start") before using this environment\n`);
  }
  context.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/** The user's NODE_OPTIONS with capture's `--require` taken out. */
function withoutPreload(options: string | undefined): string {
  if (!options) return '';
  let rest = options;
  for (const written of [`--require "${NODE_PRELOAD.replace(/["\\]/g, '\\$&')}"`, `--require ${NODE_PRELOAD}`]) rest = rest.replace(written, '');
  return rest.replace(/\s+/g, ' ').trim();
}

/** True when something accepts connections on the loopback port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
