import path from 'node:path';
import { z, describeValue, validatePluginOptions } from '@capture/core';

/** What users write: `osCerts({ nssDb: '~/other/nssdb', port: 8080 })`. */
export interface OsCertsOptions {
  /** The NSS database the `nss` target uses, instead of `~/.pki/nssdb` (`--nss-db` overrides it). */
  nssDb?: string;
  /** Folders holding Firefox profiles, searched instead of the platform's usual ones. */
  firefoxProfiles?: string | readonly string[];
  /** The port capture listens on, for the phone guidance and its download URL (`--port`). Default 5555. */
  port?: number;
}

/** The options validated, with paths made absolute. */
export interface ResolvedOsCertsOptions {
  /** See {@link OsCertsOptions.nssDb}. */
  readonly nssDb: string | undefined;
  /** See {@link OsCertsOptions.firefoxProfiles}. */
  readonly firefoxProfiles: readonly string[] | undefined;
  /** See {@link OsCertsOptions.port}. */
  readonly port: number;
}

/** The plugin's name, as its option errors name it. */
export const PLUGIN_NAME = 'os-certs';

const folder = z.string({ error: (issue) => `expected a folder path, got ${describeValue(issue.input)}` }).trim().min(1, { error: 'expected a folder path, got ""' });

/** A TCP port, as the option and `--port` take it. */
export const portSchema = z
  .number({ error: (issue) => `expected a port number (1-65535), got ${describeValue(issue.input)}` })
  .int({ error: (issue) => `expected a port number (1-65535), got ${describeValue(issue.input)}` })
  .min(1, { error: (issue) => `expected a port number (1-65535), got ${describeValue(issue.input)}` })
  .max(65535, { error: (issue) => `expected a port number (1-65535), got ${describeValue(issue.input)}` });

const optionsSchema = z.strictObject({
  nssDb: folder.transform((value) => path.resolve(value)).optional(),
  firefoxProfiles: z
    .union([folder.transform((value) => [value]), z.array(folder)], { error: (issue) => `expected a folder path or a list of them, got ${describeValue(issue.input)}` })
    .transform((values) => values.map((value) => path.resolve(value)))
    .optional(),
  port: portSchema.default(5555),
});

/**
 * Validates the options. Throws a `PluginError` (`CONFIG_INVALID`) naming the option and the
 * bad value, e.g. `os-certs: option "port": expected a port number (1-65535), got 70000`.
 */
export function resolveOsCertsOptions(options: unknown = {}): ResolvedOsCertsOptions {
  const { nssDb, firefoxProfiles, port } = validatePluginOptions(PLUGIN_NAME, optionsSchema, options);
  return { nssDb, firefoxProfiles, port };
}
