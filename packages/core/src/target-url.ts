import { formatAuthority } from './host-pattern.js';
import type { SocketInfo } from './socket-info.js';

/** The absolute URL of an origin-form request on a decrypted connection. */
export function targetUrl(target: NonNullable<SocketInfo['target']>, path: string): string {
  return `${target.secure ? 'https' : 'http'}://${formatAuthority(target.hostname, target.port)}${path}`;
}
