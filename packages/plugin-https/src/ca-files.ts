import path from 'node:path';

/** The folder, inside the data folder, that holds the CA (the contract's `proxy/`). */
export const CA_FOLDER = 'proxy';
/** The CA certificate's file name (PEM). */
export const CA_CERT_FILE = 'capture-proxy-ca.crt';
/** The CA private key's file name (PEM, mode 0600). */
export const CA_KEY_FILE = 'capture-proxy-ca.key';

/** Where the CA's files live for a data folder. */
export interface CaPaths {
  /** `<data>/proxy`, mode 0700. */
  dir: string;
  /** `<data>/proxy/capture-proxy-ca.crt`. */
  cert: string;
  /** `<data>/proxy/capture-proxy-ca.key`. */
  key: string;
  /** The lock file held while the CA is being created or replaced. */
  lock: string;
}

/** The CA's paths for a data folder. */
export function caPaths(dataDir: string): CaPaths {
  const dir = path.join(dataDir, CA_FOLDER);
  return { dir, cert: path.join(dir, CA_CERT_FILE), key: path.join(dir, CA_KEY_FILE), lock: path.join(dir, '.capture-proxy-ca.lock') };
}
