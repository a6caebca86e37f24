import { closeSync, openSync, readSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { CaptureError, type CaptureConfig, type ClientCertificateConfig } from '@capture/core';

/** The `capture start` flags of the core's proxy-mode config keys. */
export interface ModeFlags {
  upstreamProxy?: string;
  reverse?: string;
  keepHost?: boolean;
  reverseTls?: boolean;
  /** `HOST=FILE`, repeatable. */
  clientCert?: ClientCertificateConfig[];
}

/** The environment variable a passphrase for `--client-cert` files is read from (kept off the command line, which other users can list). */
export const CLIENT_CERT_PASSPHRASE_ENV = 'CAPTURE_CLIENT_CERT_PASSPHRASE';

/** Adds the proxy-mode flags (`--upstream-proxy`, `--reverse`, `--keep-host`, `--reverse-tls`, `--client-cert`). */
export function addModeFlags(command: Command, env: NodeJS.ProcessEnv): Command {
  const options = [
    new Option('--upstream-proxy <url>', 'reach origins through this proxy: http://, https://, socks5:// or socks5h:// URL (user:pass@ allowed), or "env" for HTTPS_PROXY/HTTP_PROXY/NO_PROXY').argParser(parseUpstreamProxyFlag),
    new Option('--reverse <url>', 'reverse mode: serve as this origin (e.g. https://api.example.com); requests to capture\'s port go there').argParser(parseReverseFlag),
    new Option('--keep-host', 'reverse mode: forward the client\'s Host header instead of the origin\'s'),
    new Option('--reverse-tls', 'reverse mode: also serve HTTPS on the port, with a certificate from capture\'s CA for the origin\'s name'),
    new Option('--client-cert <host=file>', `present this client certificate (PKCS#12, or PEM with its key) to matching hosts (*.corp.example); passphrase from ${CLIENT_CERT_PASSPHRASE_ENV} (repeatable)`).argParser(
      (value: string, previous: ClientCertificateConfig[] | undefined) => [...(previous ?? []), parseClientCertFlag(value, env)],
    ),
  ];
  for (const option of options) command.addOption(option.helpGroup(MODE_GROUP));
  return command;
}

/** The `--help` heading of the proxy-mode flags. */
const MODE_GROUP = 'Proxy modes:';

/** The config keys the mode flags set, over the config's own (flag certificates first: the first match wins). */
export function modeConfig(flags: ModeFlags, config: CaptureConfig): Partial<CaptureConfig> {
  return {
    ...(flags.upstreamProxy !== undefined ? { upstreamProxy: flags.upstreamProxy } : {}),
    ...(flags.reverse !== undefined ? { reverse: flags.reverse } : {}),
    ...(flags.keepHost ? { keepHost: true } : {}),
    ...(flags.reverseTls ? { reverseTls: true } : {}),
    ...(flags.clientCert?.length ? { clientCertificates: [...flags.clientCert, ...(config.clientCertificates ?? [])] } : {}),
  };
}

function parseUpstreamProxyFlag(value: string): string {
  if (value !== 'env' && !/^(https?|socks5h?):\/\/[^/]/i.test(value)) {
    throw new CaptureError('USAGE', '--upstream-proxy expects "env" or a URL starting with http://, https://, socks5:// or socks5h://');
  }
  return value;
}

function parseReverseFlag(value: string): string {
  if (!/^https?:\/\/[^/?#]+\/?$/i.test(value)) throw new CaptureError('USAGE', `--reverse expects an origin such as https://api.example.com (http or https, no path), got "${value}"`);
  return value;
}

/** `HOST=FILE`: a PEM file (certificate and key in one) when it starts like PEM, else a PKCS#12 bundle. */
function parseClientCertFlag(value: string, env: NodeJS.ProcessEnv): ClientCertificateConfig {
  const equals = value.indexOf('=');
  if (equals <= 0 || equals === value.length - 1) throw new CaptureError('USAGE', `--client-cert expects HOST=FILE (e.g. "*.corp.example=./me.p12"), got "${value}"`);
  const host = value.slice(0, equals);
  const file = value.slice(equals + 1);
  const passphrase = env[CLIENT_CERT_PASSPHRASE_ENV];
  const secret = passphrase !== undefined ? { passphrase } : {};
  // An unreadable file is reported by the core when the proxy is created, naming it.
  return looksLikePem(file) ? { host, cert: file, key: file, ...secret } : { host, pfx: file, ...secret };
}

function looksLikePem(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const start = Buffer.alloc(256);
    const read = readSync(fd, start, 0, start.length, 0);
    return start.toString('latin1', 0, read).includes('-----BEGIN');
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
