// http-mitm-proxy as a plain forwarding MITM proxy for bench/run.mjs: no handlers beyond error
// counting, keep-alive upstream agents, and forceSNI (one internal HTTPS server that picks the
// certificate by SNI, its fastest documented setup, rather than one server per host). Its CA is
// written to <caDir>/certs/ca.pem. The origin is trusted through NODE_EXTRA_CA_CERTS.
import { Proxy } from 'http-mitm-proxy';

const [caDir] = process.argv.slice(2);
const proxy = new Proxy();
let errors = 0;
proxy.onError(() => {
  errors++;
});
proxy.listen({ host: '127.0.0.1', port: 0, sslCaDir: caDir, keepAlive: true, forceSNI: true }, (error) => {
  if (error) throw error;
  process.send({ port: proxy.httpPort, caFile: `${caDir}/certs/ca.pem` });
});
process.on('message', (message) => {
  if (message !== 'stop') return;
  proxy.close();
  process.send({ errors });
  process.exit(0);
});
