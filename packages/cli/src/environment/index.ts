import { createRequire } from 'node:module';
import path from 'node:path';
import { writeTrustFiles } from './trust-files.js';
import { proxyEnvironment } from './variables.js';

export { PROXY_VARIABLES, proxyEnvironment, proxyVariableNames, type ProxyVariable, type ProxyEnvironmentInput, type TrustFiles } from './variables.js';
export { writeTrustFiles, ENV_FOLDER } from './trust-files.js';
export { parseNoProxy } from './parse-no-proxy.js';

/**
 * The preload Node programs get (`dist/preload/node-proxy.cjs`), found from the package root so
 * it is the same file whether this code runs bundled or from source in tests.
 */
export const NODE_PRELOAD: string = path.join(path.dirname(createRequire(import.meta.url).resolve('@capture/cli/package.json')), 'dist', 'preload', 'node-proxy.cjs');

/** What {@link programEnvironment} needs. */
export interface ProgramEnvironmentOptions {
  /** The data folder: the trust files go in its `env/` folder. */
  dataDir: string;
  /** The proxy URL, with per-launch credentials for `capture run`. */
  proxyUrl: string;
  /** capture's CA (PEM); undefined without HTTPS interception. */
  caPem: string | undefined;
  /** Hosts that bypass capture (`--no-proxy`). */
  noProxy?: readonly string[];
  /** The environment the program would otherwise get. */
  base: NodeJS.ProcessEnv;
}

/** The variables that route a program through capture and make it trust capture's CA (writing the trust files first). */
export async function programEnvironment(options: ProgramEnvironmentOptions): Promise<Record<string, string>> {
  const trust = options.caPem === undefined ? undefined : await writeTrustFiles(options.dataDir, options.caPem, options.base);
  return proxyEnvironment({ proxyUrl: options.proxyUrl, noProxy: options.noProxy ?? [], trust, nodePreload: NODE_PRELOAD, base: options.base });
}
