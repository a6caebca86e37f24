import { z } from 'zod';
import { CaptureError } from './errors.js';
import { flattenPlugins, type CapturePlugin, type PluginInput } from './plugin.js';
import type { ClientCertificateConfig } from './client-certificates.js';

/** The capture config as users write it (`capture.config.ts`); every key is optional. */
export interface CaptureConfig {
  /** The port to listen on. Default 5555; 0 picks a free one. */
  port?: number;
  /** The address to listen on. Default `0.0.0.0` (all interfaces) so devices on the LAN can connect. */
  host?: string;
  /** Where capture keeps its files; overrides `CAPTURE_HOME` and the platform default. */
  dataDir?: string;
  /** The plugins, in order. Nested lists and falsy entries are allowed. Omitted: the CLI's defaults. */
  plugins?: PluginInput[];
  /** Serve clients with public (internet) addresses too. Default false: only loopback and private networks. */
  allowPublicClients?: boolean;
  /** Require proxy authentication, as `user:pass` (HTTP Basic, answered with 407). */
  auth?: string;
  /** Largest body captured per request or response, in bytes; larger ones are forwarded whole, captured truncated. Default 10 MiB. */
  maxBodySize?: number;
  /** Largest request head accepted, in bytes; larger gets 431. Default 32 KiB. */
  maxHeaderSize?: number;
  /**
   * Most header fields a request or an upstream response may have. Capture forwards and records a
   * head whole or not at all: a request with more gets 431, an upstream response with more 502.
   * Default 1000 (about what Node keeps; it silently drops the rest).
   */
  maxHeaderCount?: number;
  /** Milliseconds the upstream may stay silent before the client gets 504. Default 60000. */
  upstreamTimeout?: number;
  /**
   * Milliseconds a client has to send a complete request head, counted from when the connection
   * was accepted or last became idle; a connection that sends nothing at all is closed after it
   * too. Default 30000.
   */
  headersTimeout?: number;
  /**
   * Open connections one client address may have (tunnels and WebSockets included); beyond it a
   * new connection gets 503 and is closed. Default 1024: room for a test suite or a browser on
   * this machine, a bound for one device on the LAN.
   */
  maxConnectionsPerClient?: number;
  /**
   * Streams an HTTP/2 client may have open at once on one connection (the h2
   * `SETTINGS_MAX_CONCURRENT_STREAMS` capture announces); more are refused by the client's own
   * stack. Default 128.
   */
  maxConcurrentStreams?: number;
  /** Milliseconds an idle keep-alive client connection stays open. Default 30000. */
  keepAliveTimeout?: number;
  /** Milliseconds in-flight exchanges get to finish when the proxy closes. Default 5000. */
  closeTimeout?: number;
  /** Verify upstream TLS certificates (for `https://` requests). Default true. */
  rejectUnauthorized?: boolean;
  /**
   * Reach origins through another proxy: `http://`, `https://`, `socks5://` (names resolved by
   * capture) or `socks5h://` (by the proxy) URL, with `user:pass@` when it needs credentials; or
   * `'env'` for `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY`/`NO_PROXY` from capture's own environment.
   */
  upstreamProxy?: string;
  /** Hosts reached directly despite `upstreamProxy`, in `NO_PROXY` syntax (`localhost,.corp.example,10.0.0.0/8`). */
  noProxy?: string | string[];
  /**
   * Reverse mode: capture's port stands in for this origin (`https://api.example.com`); requests
   * in origin form are forwarded to it and captured with its URL.
   */
  reverse?: string;
  /** Reverse mode: forward the client's `Host` header instead of the origin's. Default false. */
  keepHost?: boolean;
  /**
   * Reverse mode: serve HTTPS on capture's port too, with a certificate from capture's CA for the
   * origin's name (needs the https plugin). Plain HTTP is still served. Default false.
   */
  reverseTls?: boolean;
  /** Client certificates presented to matching origins (mTLS). */
  clientCertificates?: ClientCertificateConfig[];
}

/** The default proxy port, as in Postman's capture settings. */
export const DEFAULT_PORT = 5555;

const milliseconds = z.number().int().positive();
/** A file path, or the content itself (PEM text or bytes). */
const fileOrContent = z.union([z.string().min(1), z.instanceof(Uint8Array)]);

/** The schema of every config key but `plugins` (checked separately: its entries are objects with code). */
export const configSchema = z.strictObject({
  port: z.number().int().min(0).max(65535).default(DEFAULT_PORT),
  host: z.string().min(1).default('0.0.0.0'),
  dataDir: z.string().min(1).optional(),
  plugins: z.array(z.unknown()).optional(),
  allowPublicClients: z.boolean().default(false),
  auth: z
    .string()
    .regex(/^[^:]+:.*$/, 'expected "user:pass"')
    .optional(),
  maxBodySize: z.number().int().nonnegative().default(10 * 1024 * 1024),
  maxHeaderSize: z.number().int().min(1024).default(32 * 1024),
  maxHeaderCount: z.number().int().positive().default(1000),
  upstreamTimeout: milliseconds.default(60_000),
  headersTimeout: milliseconds.default(30_000),
  maxConnectionsPerClient: z.number().int().positive().default(1024),
  maxConcurrentStreams: z.number().int().positive().max(2 ** 31 - 1).default(128),
  keepAliveTimeout: milliseconds.default(30_000),
  closeTimeout: z.number().int().nonnegative().default(5_000),
  rejectUnauthorized: z.boolean().default(true),
  upstreamProxy: z
    .string()
    .refine((value) => value === 'env' || /^(https?|socks5h?):\/\//i.test(value), 'expected "env" or a URL starting with http://, https://, socks5:// or socks5h://')
    .optional(),
  noProxy: z
    .union([z.string(), z.array(z.string())])
    .transform((value) => (typeof value === 'string' ? [value] : value))
    .default([]),
  reverse: z
    .string()
    .refine((value) => /^https?:\/\/[^/?#]+\/?$/i.test(value), 'expected an origin such as https://api.example.com (http or https, no path)')
    .optional(),
  keepHost: z.boolean().default(false),
  reverseTls: z.boolean().default(false),
  clientCertificates: z
    .array(
      z.union([
        z.strictObject({ host: z.string().min(1), pfx: fileOrContent, passphrase: z.string().optional() }),
        z.strictObject({ host: z.string().min(1), cert: fileOrContent, key: fileOrContent, passphrase: z.string().optional() }),
      ]),
    )
    .default([]),
});

/**
 * The config with every default filled in: what the proxy uses. Derived from the schema (Vite's
 * `ResolvedConfig` is the model), so each option is documented once, on {@link CaptureConfig};
 * `plugins` is the flattened list. `dataDir` and `auth` stay optional: undefined means "resolve
 * from the environment" and "no authentication".
 */
export type ResolvedConfig = Readonly<Omit<z.output<typeof configSchema>, 'plugins'> & { plugins: readonly CapturePlugin[] }>;

/** Fails to compile when {@link CaptureConfig} and the schema disagree on the option names. */
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : never;
const configKeysMatch: SameKeys<CaptureConfig, z.input<typeof configSchema>> = true;
void configKeysMatch;

/**
 * Declares a config with types and editor completion. It returns its argument unchanged.
 *
 * @example
 * ```ts
 * export default defineConfig({ port: 5555, plugins: [history()] });
 * ```
 */
export function defineConfig(config: CaptureConfig): CaptureConfig {
  return config;
}

/**
 * Validates a config and fills in defaults. Errors name the key, what was expected and what
 * was given; `source` (a file name) prefixes them.
 */
export function resolveConfig(config: CaptureConfig = {}, source = 'config'): ResolvedConfig {
  // Parsed once per start: see validatePluginOptions on zod's compiled fast path.
  const parsed = configSchema.safeParse(config, { jitless: true });
  if (!parsed.success) throw new CaptureError('CONFIG_INVALID', formatConfigIssues(parsed.error, source));
  const { plugins, ...rest } = parsed.data;
  return { ...rest, plugins: flattenPlugins(plugins as PluginInput[] | undefined) };
}

/** Turns schema issues into one line per problem: `file: key "x": expected …, got …`. */
export function formatConfigIssues(error: z.ZodError, source: string): string {
  return error.issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return `${source}: unknown option${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${[...issue.path, key].join('.')}"`).join(', ')}`;
      }
      const key = issue.path.length ? issue.path.join('.') : '(root)';
      return `${source}: option "${key}": ${issue.message}`;
    })
    .join('\n');
}
