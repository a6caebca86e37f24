import { describe, expect, it } from 'vitest';
import { posixQuote, fishQuote, powershellQuote } from './shell.js';
import { PROXY_VARIABLES, proxyEnvironment, type ProxyEnvironmentInput } from './variables.js';

const input = (overrides: Partial<ProxyEnvironmentInput> = {}): ProxyEnvironmentInput => ({
  proxyUrl: 'http://capture:token@127.0.0.1:5555',
  noProxy: [],
  trust: { bundle: '/data/env/ca-bundle.pem', nodeExtraCaCerts: '/data/env/node-extra-ca-certs.pem', wgetrc: '/data/env/wgetrc' },
  nodePreload: '/opt/capture/dist/preload/node-proxy.cjs',
  base: {},
  ...overrides,
});

describe('the environment capture run and capture env give programs', () => {
  it('documents every variable with the programs that read it', () => {
    for (const variable of PROXY_VARIABLES) expect(variable.readBy.length, variable.name).toBeGreaterThan(2);
  });

  it('sets the proxy in both cases, clears NO_PROXY, points every CA variable at the bundle', () => {
    const env = proxyEnvironment(input());
    for (const name of ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'WS_PROXY', 'WSS_PROXY', 'GLOBAL_AGENT_HTTP_PROXY', 'npm_config_proxy', 'npm_config_https_proxy']) {
      expect(env[name], name).toBe('http://capture:token@127.0.0.1:5555');
    }
    expect(env.NO_PROXY).toBe('');
    expect(env.no_proxy).toBe('');
    for (const name of ['SSL_CERT_FILE', 'CURL_CA_BUNDLE', 'REQUESTS_CA_BUNDLE', 'GIT_SSL_CAINFO', 'CARGO_HTTP_CAINFO', 'AWS_CA_BUNDLE', 'DENO_CERT', 'PIP_CERT', 'npm_config_cafile']) {
      expect(env[name], name).toBe('/data/env/ca-bundle.pem');
    }
    expect(env.NODE_EXTRA_CA_CERTS).toBe('/data/env/node-extra-ca-certs.pem');
    expect(env.NODE_USE_ENV_PROXY).toBe('1');
    expect(proxyEnvironment(input({ noProxy: ['a.example', '.corp'] })).NO_PROXY).toBe('a.example,.corp');
  });

  it('appends the preload to the user’s NODE_OPTIONS once, quoting a path with spaces', () => {
    expect(proxyEnvironment(input({ base: { NODE_OPTIONS: '--max-old-space-size=100' } })).NODE_OPTIONS).toBe('--max-old-space-size=100 --require /opt/capture/dist/preload/node-proxy.cjs');
    const again = proxyEnvironment(input({ base: { NODE_OPTIONS: '--require /opt/capture/dist/preload/node-proxy.cjs' } }));
    expect(again.NODE_OPTIONS).toBe('--require /opt/capture/dist/preload/node-proxy.cjs');
    expect(proxyEnvironment(input({ nodePreload: '/Program Files/capture/node-proxy.cjs' })).NODE_OPTIONS).toBe('--require "/Program Files/capture/node-proxy.cjs"');
  });

  it('leaves trust variables alone without HTTPS interception', () => {
    const env = proxyEnvironment(input({ trust: undefined }));
    expect(env.SSL_CERT_FILE).toBeUndefined();
    expect(env.NODE_EXTRA_CA_CERTS).toBeUndefined();
    expect(env.HTTPS_PROXY).toBe('http://capture:token@127.0.0.1:5555');
  });

  it('quotes for each shell so nothing expands', () => {
    expect(posixQuote("it's $HOME")).toBe(`'it'\\''s $HOME'`);
    expect(fishQuote("it's \\ $HOME")).toBe(`'it\\'s \\\\ $HOME'`);
    expect(powershellQuote("it's $env:HOME")).toBe(`'it''s $env:HOME'`);
  });
});
