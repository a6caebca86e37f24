import http from 'node:http';

/** One request sent through the proxy by {@link loadThroughProxy}: its number and when its response ended. */
export interface Completed {
  n: number;
  at: number;
}

/**
 * Sends GETs for `${origin}/load/<n>` through the proxy with `concurrency` keep-alive
 * connections until `until()` is true or `max` were sent; records when each response ended.
 * Bounded in count, so it always stops by itself.
 */
export async function loadThroughProxy(
  proxyPort: number,
  origin: string,
  options: { concurrency: number; max: number; until?: () => boolean; tag?: string; completed?: Completed[] },
): Promise<{ completed: Completed[]; failed: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  // The caller may pass the list to watch it fill while the load runs.
  const completed: Completed[] = options.completed ?? [];
  let next = 0;
  let failed = 0;
  const tag = options.tag ?? 'load';
  const one = (n: number) =>
    new Promise<void>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port: proxyPort, path: `${origin}/${tag}/${n}`, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          completed.push({ n, at: Date.now() });
          resolve();
        });
        res.on('error', () => {
          failed++;
          resolve();
        });
      });
      req.on('error', () => {
        failed++;
        resolve();
      });
      req.end();
    });
  const worker = async () => {
    while (next < options.max && !(options.until?.() ?? false)) await one(next++);
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  agent.destroy();
  return { completed, failed };
}
