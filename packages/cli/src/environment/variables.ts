import path from 'node:path';

/** What the variables are made from: where the proxy is and which files make a program trust it. */
export interface ProxyEnvironmentInput {
  /** The proxy URL programs use, with `capture run`'s per-launch credentials when there are some: `http://capture:TOKEN@127.0.0.1:PORT`. */
  readonly proxyUrl: string;
  /** Hosts kept away from the proxy (`--no-proxy`); empty: everything, localhost included, goes through capture. */
  readonly noProxy: readonly string[];
  /**
   * The trust files ({@link TrustFiles}); undefined when capture does not intercept HTTPS
   * (`--no-https`), so there is no CA to trust and trust variables are left alone.
   */
  readonly trust: TrustFiles | undefined;
  /** The preload script for Node (`dist/preload/node-proxy.cjs`). */
  readonly nodePreload: string;
  /** The environment the program would get otherwise (for `NODE_OPTIONS`, which is appended to). */
  readonly base: NodeJS.ProcessEnv;
}

/** The files `trust-files.ts` writes into the data folder. */
export interface TrustFiles {
  /** The system's roots plus capture's CA, for programs that take one bundle instead of the system's. */
  readonly bundle: string;
  /** capture's CA plus the `NODE_EXTRA_CA_CERTS` the user already had, for Node (which adds it to its own roots). */
  readonly nodeExtraCaCerts: string;
  /** A wgetrc: the user's own settings plus `ca_certificate`, since wget (GnuTLS) reads no CA variable. */
  readonly wgetrc: string;
}

/** One variable the environment sets: its name, who reads it, and its value. */
export interface ProxyVariable {
  /** The variable's name, exactly as programs read it. */
  readonly name: string;
  /** The programs that read it, for `capture env --help`, the README and comments. */
  readonly readBy: string;
  /** Its value; undefined leaves the variable as it is (a trust variable without HTTPS interception). */
  value(input: ProxyEnvironmentInput): string | undefined;
}

const proxy = (input: ProxyEnvironmentInput) => input.proxyUrl;
const noProxy = (input: ProxyEnvironmentInput) => input.noProxy.join(',');
const bundle = (input: ProxyEnvironmentInput) => input.trust?.bundle;

/**
 * Every variable `capture run` and `capture env` set, documented once. Proxy variables in both
 * cases because programs disagree (curl reads only lower-case `http_proxy`, Go and Python
 * either). `NO_PROXY` is cleared so that localhost traffic is captured too.
 */
export const PROXY_VARIABLES: readonly ProxyVariable[] = [
  { name: 'HTTP_PROXY', readBy: 'Go, Python (requests, urllib, pip), Ruby, Java tools, Deno, Rust (reqwest), undici, wget', value: proxy },
  { name: 'http_proxy', readBy: 'curl (only the lower-case one for http://), wget, Python, apt, git', value: proxy },
  { name: 'HTTPS_PROXY', readBy: 'Go, Python, Deno, Rust, undici, curl, git, cargo', value: proxy },
  { name: 'https_proxy', readBy: 'curl, wget, Python, git', value: proxy },
  { name: 'WS_PROXY', readBy: 'WebSocket clients (ws:// URLs) that follow curl’s naming', value: proxy },
  { name: 'WSS_PROXY', readBy: 'WebSocket clients (wss:// URLs)', value: proxy },
  { name: 'GLOBAL_AGENT_HTTP_PROXY', readBy: 'Node programs using global-agent (Electron apps, some CLIs)', value: proxy },
  { name: 'npm_config_proxy', readBy: 'npm, pnpm and yarn 1 (the proxy config key)', value: proxy },
  { name: 'npm_config_https_proxy', readBy: 'npm, pnpm and yarn 1 (the https-proxy config key)', value: proxy },
  { name: 'NO_PROXY', readBy: 'everything that reads the proxy variables: cleared, or --no-proxy hosts', value: noProxy },
  { name: 'no_proxy', readBy: 'curl, wget, Python (lower-case twin)', value: noProxy },
  { name: 'SSL_CERT_FILE', readBy: 'OpenSSL-based programs (Python ssl, Ruby, curl built with OpenSSL), Go, Rust (rustls-native-certs)', value: bundle },
  { name: 'CURL_CA_BUNDLE', readBy: 'curl', value: bundle },
  { name: 'REQUESTS_CA_BUNDLE', readBy: 'Python requests (and pip)', value: bundle },
  { name: 'GIT_SSL_CAINFO', readBy: 'git over https', value: bundle },
  { name: 'CARGO_HTTP_CAINFO', readBy: 'cargo', value: bundle },
  { name: 'AWS_CA_BUNDLE', readBy: 'AWS CLI and SDKs', value: bundle },
  { name: 'DENO_CERT', readBy: 'Deno', value: bundle },
  { name: 'PIP_CERT', readBy: 'pip', value: bundle },
  { name: 'npm_config_cafile', readBy: 'npm, pnpm and yarn 1 (the cafile config key)', value: bundle },
  { name: 'WGETRC', readBy: 'wget (GnuTLS builds read no CA variable; this wgetrc adds ca_certificate to the user’s)', value: (input) => input.trust?.wgetrc },
  { name: 'NODE_EXTRA_CA_CERTS', readBy: 'Node (added to its own roots): capture’s CA and the one the user had', value: (input) => input.trust?.nodeExtraCaCerts },
  { name: 'NODE_OPTIONS', readBy: 'Node: --require of the preload that routes http, https and fetch through capture, appended to the user’s', value: (input) => nodeOptions(input) },
  { name: 'NODE_USE_ENV_PROXY', readBy: 'Node 24 and later, which then read the proxy variables themselves', value: () => '1' },
];

/** The variables and their values for `input`; a variable without a value is left out. */
export function proxyEnvironment(input: ProxyEnvironmentInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of PROXY_VARIABLES) {
    const value = variable.value(input);
    if (value !== undefined) env[variable.name] = value;
  }
  return env;
}

/** The names `capture env --unset` removes. */
export function proxyVariableNames(): string[] {
  return PROXY_VARIABLES.map((variable) => variable.name);
}

/**
 * The user's `NODE_OPTIONS` with `--require <preload>` appended, once (an environment that
 * already has it, from an earlier `eval "$(capture env)"`, is not given it twice).
 */
function nodeOptions(input: ProxyEnvironmentInput): string {
  const existing = (input.base.NODE_OPTIONS ?? '').trim();
  const preload = path.resolve(input.nodePreload);
  if (existing.includes(preload)) return existing;
  // NODE_OPTIONS splits on spaces unless a value is double-quoted.
  const quoted = /[\s"\\]/.test(preload) ? `"${preload.replace(/["\\]/g, '\\$&')}"` : preload;
  return `${existing ? `${existing} ` : ''}--require ${quoted}`;
}
