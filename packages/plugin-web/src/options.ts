import { z, describeValue as describe, validatePluginOptions } from '@capture/core';

/** The default port of the web view: the proxy's default (5555) plus one. */
export const DEFAULT_WEB_PORT = 5556;

/** What users write: `web({ webPort: 5556, webHost: '127.0.0.1' })`. */
export interface WebOptions {
  /**
   * The port the view listens on. Default 5556; when that default is taken (another capture
   * runs) a free port is used and the printed URL says which. `0` always picks a free one.
   */
  webPort?: number;
  /**
   * The address the view listens on. Default `127.0.0.1`: only this machine. Anything else lets
   * other machines that know the token in. The view is never reachable through the proxy.
   */
  webHost?: string;
  /**
   * The access token (at least 16 characters). Default: a new random one each start. Set it to
   * keep a bookmarked URL working across restarts.
   */
  token?: string;
  /** Exchanges the view keeps in memory for the live list (filtered ones, and captured ones not yet in history). Default 2000. */
  keepInMemory?: number;
}

/** The options with defaults filled in. */
export interface ResolvedWebOptions {
  /** See {@link WebOptions.webPort}. */
  readonly webPort: number;
  /** True when the user chose the port (then a taken port is an error, not a fallback). */
  readonly webPortChosen: boolean;
  /** See {@link WebOptions.webHost}. */
  readonly webHost: string;
  /** See {@link WebOptions.token}; undefined: generate one. */
  readonly token: string | undefined;
  /** See {@link WebOptions.keepInMemory}. */
  readonly keepInMemory: number;
}

const optionsSchema = z.strictObject({
  webPort: z
    .number({ error: (issue) => `expected a port number from 0 to 65535, got ${describe(issue.input)}` })
    .int({ error: (issue) => `expected a port number from 0 to 65535, got ${describe(issue.input)}` })
    .min(0, { error: (issue) => `expected a port number from 0 to 65535, got ${describe(issue.input)}` })
    .max(65535, { error: (issue) => `expected a port number from 0 to 65535, got ${describe(issue.input)}` })
    .optional(),
  webHost: z.string({ error: (issue) => `expected an address such as "127.0.0.1", got ${describe(issue.input)}` }).min(1, 'expected an address such as "127.0.0.1", got ""').default('127.0.0.1'),
  token: z
    .string({ error: (issue) => `expected a string of at least 16 characters, got ${describe(issue.input)}` })
    .regex(/^[A-Za-z0-9._~-]{16,}$/, { error: (issue) => `expected at least 16 characters of A-Z, a-z, 0-9, ".", "_", "~", "-", got ${describe(issue.input)}` })
    .optional(),
  keepInMemory: z
    .number({ error: (issue) => `expected a whole number from 100 to 100000, got ${describe(issue.input)}` })
    .int({ error: (issue) => `expected a whole number from 100 to 100000, got ${describe(issue.input)}` })
    .min(100, { error: (issue) => `expected a whole number from 100 to 100000, got ${describe(issue.input)}` })
    .max(100_000, { error: (issue) => `expected a whole number from 100 to 100000, got ${describe(issue.input)}` })
    .default(2000),
});

/** Validates options; an error (a `PluginError`, `CONFIG_INVALID`) names the option and the bad value (`web: option "webPort": …`). */
export function resolveWebOptions(options: unknown = {}): ResolvedWebOptions {
  const { webPort, token, ...rest } = validatePluginOptions('web', optionsSchema, options);
  return { ...rest, token, webPort: webPort ?? DEFAULT_WEB_PORT, webPortChosen: webPort !== undefined };
}
