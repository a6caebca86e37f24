import http from 'node:http';

/**
 * Sends GETs for `${origin}${path}?n=<n>` through the proxy with `concurrency` keep-alive
 * connections until `until()` is true or `max` were sent. Bounded in count, so it always stops by
 * itself; errors (the proxy being killed) end a worker rather than the test.
 */
export async function loadThroughProxy(proxyPort: number, url: string, options: { concurrency: number; max: number; until: () => boolean }): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  let next = 0;
  let completed = 0;
  const one = (n: number) =>
    new Promise<boolean>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port: proxyPort, path: `${url}?n=${n}`, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          completed++;
          resolve(true);
        });
        res.on('error', () => resolve(false));
      });
      req.on('error', () => resolve(false));
      req.end();
    });
  const worker = async () => {
    while (next < options.max && !options.until()) if (!(await one(next++))) return;
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  agent.destroy();
  return completed;
}
