// The proxy under test: @capture/core with a listener on onExchange, as storage plugins use it.
import { createProxy } from '@capture/core';

let exchanges = 0;
const counter = {
  name: 'bench-counter',
  apply(proxy) {
    proxy.hooks.onExchange.tap('bench-counter', () => {
      exchanges++;
    });
  },
};
const proxy = await createProxy({ host: '127.0.0.1', port: 0, plugins: [counter] });
const info = await proxy.listen();
process.send({ port: info.port });
process.on('message', async (message) => {
  if (message === 'mark') {
    const cpu = process.cpuUsage();
    process.send({ exchanges, cpuMicros: cpu.user + cpu.system });
    return;
  }
  if (message !== 'stop') return;
  const cpu = process.cpuUsage();
  await proxy.close();
  process.send({ exchanges, cpuMicros: cpu.user + cpu.system });
  process.exit(0);
});
