/**
 * A `capture.config.mjs` for browser tests: the given plugins, then one that answers every
 * request for a host other than `localhost` itself (403), so the browser's background requests
 * are never looked up or sent off the machine.
 *
 * @param plugins - each as its import name and package, e.g. `['https', '@capture/plugin-https']`.
 */
export function loopbackOnlyConfig(plugins: ReadonlyArray<readonly [name: string, packageName: string]>): string {
  return `
${plugins.map(([name, packageName]) => `import ${name} from '${packageName}';`).join('\n')}
import { Stage } from '@capture/core';
const loopbackOnly = {
  name: 'loopback-only',
  apply(proxy) {
    proxy.hooks.onRequest.tapPromise({ name: 'loopback-only', stage: Stage.FILTER - 100 }, async ({ outgoing }) =>
      new URL(outgoing.url).hostname === 'localhost' ? undefined : { statusCode: 403, body: 'only localhost in this test' });
  },
};
export default { plugins: [${plugins.map(([name]) => `${name}()`).join(', ')}, loopbackOnly] };
`;
}
