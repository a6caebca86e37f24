/**
 * Test utilities for capture plugins and the core: start a proxy, an origin and a client on
 * loopback with real sockets. Nothing here runs on import; every server it starts is closed by
 * the `close()` it returns.
 */
export { startProxy, type TestProxy } from './start-proxy.js';
export { startOrigin, type TestOrigin, type OriginHandler } from './start-origin.js';
export { requestThroughProxy, sendRawRequest, type ProxiedResponse, type ProxiedRequestOptions } from './client.js';
export { nextExchange, collectExchanges, type ExchangeCollector } from './exchanges.js';
export { tmpfsUnavailable, mountTmpfs, unmountAllTmpfs, fillDisk } from './tmpfs.js';
