import path from 'node:path';
import { z } from 'zod';
import { CaptureError } from '@capture/core';

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

const describe = (value: unknown): string => JSON.stringify(value) ?? String(value);

const folder = z.string({ error: (issue) => `expected a folder path, got ${describe(issue.input)}` }).trim().min(1, { error: 'expected a folder path, got ""' });

/** A TCP port, as the option and `--port` take it. */
export const portSchema = z
  .number({ error: (issue) => `expected a port number (1-65535), got ${describe(issue.input)}` })
  .int({ error: (issue) => `expected a port number (1-65535), got ${describe(issue.input)}` })
  .min(1, { error: (issue) => `expected a port number (1-65535), got ${describe(issue.input)}` })
  .max(65535, { error: (issue) => `expected a port number (1-65535), got ${describe(issue.input)}` });

const optionsSchema = z.strictObject({
  nssDb: folder.transform((value) => path.resolve(value)).optional(),
  firefoxProfiles: z
    .union([folder.transform((value) => [value]), z.array(folder)], { error: (issue) => `expected a folder path or a list of them, got ${describe(issue.input)}` })
    .transform((values) => values.map((value) => path.resolve(value)))
    .optional(),
  port: portSchema.default(5555),
});

/**
 * Validates the options. Throws a `CaptureError` (`CONFIG_INVALID`) naming the option and the
 * bad value, e.g. `os-certs: option "port": expected a port number (1-65535), got 70000`.
 */
export function resolveOsCertsOptions(options: unknown = {}): ResolvedOsCertsOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new CaptureError('CONFIG_INVALID', `os-certs: expected an options object, got ${describe(options)}`);
  }
  const parsed = optionsSchema.safeParse(options);
  if (parsed.success) return { nssDb: parsed.data.nssDb, firefoxProfiles: parsed.data.firefoxProfiles, port: parsed.data.port };
  const known = Object.keys(optionsSchema.shape).join(', ');
  const lines = parsed.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') return `os-certs: unknown option ${issue.keys.map((key) => `"${key}"`).join(', ')} (known: ${known})`;
    const key = issue.path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i ? '.' : ''}${String(part)}`)).join('');
    return `os-certs: option "${key}": ${issue.message}`;
  });
  throw new CaptureError('CONFIG_INVALID', lines.join('; '));
}
