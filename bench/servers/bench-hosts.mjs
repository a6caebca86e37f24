// Preloaded (node --import) into the Node proxies under test: every host name under .bench.test
// resolves to 127.0.0.1, so the names the benchmark invents all reach the one local origin while
// each proxy still sees, and certifies, distinct hosts. Other names resolve as usual.
import dns from 'node:dns';

const lookup = dns.lookup;
dns.lookup = function benchLookup(hostname, options, callback) {
  if (typeof options === 'function') [callback, options] = [options, {}];
  if (typeof hostname !== 'string' || !hostname.endsWith('.bench.test')) return lookup.call(this, hostname, options, callback);
  const address = { address: '127.0.0.1', family: 4 };
  if (options?.all) process.nextTick(callback, null, [address]);
  else process.nextTick(callback, null, address.address, address.family);
};
