// gRPC unary load with @grpc/grpc-js, the same for every target, and the origin's service.
// One method, /bench.Echo/Echo, with hand-encoded protobuf messages (field 1, a string) so no
// schema compiler is needed and a proxy decoding without a schema sees well-formed messages.
// Through a proxy the channel tunnels with CONNECT (grpc-js's `grpc.http_connect_target`, what
// `grpc_proxy` sets up), and trusts the proxy's CA; directly it trusts the origin's certificate.
import grpc from '@grpc/grpc-js';

/** A protobuf message holding `text` as field 1 (length-delimited). */
function message(text) {
  const body = Buffer.from(text);
  const length = [];
  let n = body.length;
  while (n > 0x7f) {
    length.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  length.push(n);
  return Buffer.concat([Buffer.from([0x0a, ...length]), body]);
}

const REQUEST = message('bench request');
const ANSWER = message('x'.repeat(1021)); // 1024 bytes in all with its tag and length.
const raw = (buffer) => buffer;
const METHOD = {
  path: '/bench.Echo/Echo',
  requestStream: false,
  responseStream: false,
  requestSerialize: raw,
  requestDeserialize: raw,
  responseSerialize: raw,
  responseDeserialize: raw,
};
const SERVICE = { Echo: METHOD };
const EchoClient = grpc.makeGenericClientConstructor(SERVICE, 'Echo');

/** The origin's gRPC server on 127.0.0.1 with TLS: resolves with { port, stop() }. */
export function startGrpcOrigin({ key, cert }) {
  const server = new grpc.Server();
  server.addService(SERVICE, { Echo: (_call, callback) => callback(null, ANSWER) });
  return new Promise((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createSsl(null, [{ private_key: key, cert_chain: cert }]), (error, port) => {
      if (error) return reject(error);
      resolve({ port, stop: () => new Promise((done) => server.tryShutdown(() => done())) });
    });
  });
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;

/**
 * Unary calls on `channels` channels (one HTTP/2 connection each), `inflight` at a time on each,
 * for `seconds`: { rps, requests, p50, p99, errors }. `target` is { originPort, proxyPort?, ca, name }.
 */
export async function grpcUnary(target, { channels, inflight, seconds }) {
  const authority = `${target.name}:${target.originPort}`;
  const clients = Array.from({ length: channels }, (_, index) => {
    const options = {
      'grpc.default_authority': authority,
      // A channel per client, never shared: grpc-js would otherwise reuse one subchannel for all.
      'grpc.use_local_subchannel_pool': 1,
      'grpc.bench_channel': index,
    };
    if (target.proxyPort) options['grpc.http_connect_target'] = `dns:///${authority}`;
    const address = target.proxyPort ? `127.0.0.1:${target.proxyPort}` : `127.0.0.1:${target.originPort}`;
    if (!target.proxyPort) options['grpc.ssl_target_name_override'] = target.name;
    return new EchoClient(address, grpc.credentials.createSsl(Buffer.from(target.ca)), options);
  });
  const call = (client) =>
    new Promise((resolve) => {
      client.Echo(REQUEST, new grpc.Metadata(), { deadline: Date.now() + 30_000 }, (error, answer) => resolve(!error && answer.length === ANSWER.length));
    });
  const latencies = [];
  let errors = 0;
  // Connect first, so the handshake (and a proxy's certificate minting) is not in the timing.
  await Promise.all(clients.map(call));
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const loop = async (client) => {
    while (performance.now() < deadline) {
      const sentAt = performance.now();
      if (await call(client)) latencies.push(performance.now() - sentAt);
      else if (++errors > 1000) return;
    }
  };
  await Promise.all(clients.flatMap((client) => Array.from({ length: inflight }, () => loop(client))));
  const elapsed = (performance.now() - started) / 1000;
  for (const client of clients) client.close();
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / elapsed, requests: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors };
}
