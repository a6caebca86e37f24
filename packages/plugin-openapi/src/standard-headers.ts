/**
 * Request headers every client sends or that HTTP itself defines: they describe the transport
 * or the browser, not the API, so they are not written as header parameters.
 */
const STANDARD = new Set([
  'a-im', 'accept', 'accept-charset', 'accept-datetime', 'accept-encoding', 'accept-language', 'access-control-request-headers',
  'access-control-request-method', 'authorization', 'cache-control', 'connection', 'content-encoding', 'content-length', 'content-md5',
  'content-type', 'cookie', 'date', 'dnt', 'early-data', 'expect', 'forwarded', 'from', 'host', 'http2-settings', 'if-match',
  'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since', 'keep-alive', 'max-forwards', 'origin', 'pragma', 'prefer',
  'priority', 'proxy-authorization', 'proxy-connection', 'range', 'referer', 'save-data', 'te', 'trailer', 'transfer-encoding',
  'upgrade', 'upgrade-insecure-requests', 'user-agent', 'via', 'warning', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto',
  'x-forwarded-port', 'x-real-ip', 'x-requested-with', 'purpose', 'x-purpose', 'x-moz',
]);

/** True for a header that is not part of the API's own description. */
export function isStandardHeader(lowerName: string): boolean {
  return STANDARD.has(lowerName) || lowerName.startsWith(':') || lowerName.startsWith('sec-') || lowerName.startsWith('proxy-');
}
