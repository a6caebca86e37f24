import type { PluginFlag } from '@capture/core';
import type { HttpsOptions } from './options.js';

/**
 * The `capture start` flags of the https plugin (the CLI's own `--no-https` leaves the plugin
 * out). Values are only read here; the factory validates them like any option, and the files
 * `--upstream-ca` names are read when the proxy starts, so a bad one stops the start naming it.
 */
export const httpsFlags: readonly PluginFlag<HttpsOptions>[] = [
  { flags: '--no-http2', description: 'give every HTTPS client HTTP/1.1, even when it and the origin speak HTTP/2', toOptions: () => ({ http2: false }) },
  {
    flags: '-k, --insecure',
    description: 'do not verify the certificates of HTTPS origins (self-signed local servers); the start banner warns',
    toOptions: () => ({ insecureUpstream: true }),
  },
  {
    flags: '--upstream-ca <file>',
    description: 'also trust this PEM certificate authority for HTTPS origins (repeatable)',
    // Repeatable: each occurrence adds a file to the ones given so far.
    parse: (value, previous) => [...(Array.isArray(previous) ? (previous as string[]) : []), value],
    toOptions: (value) => ({ upstreamCa: value as string[] }),
  },
];
