import { Stage, type CapturePlugin, type CaptureProxy } from '@capture/core';
import { toPostmanItem } from '@capture/postman-format';
import { collectionCommands } from './commands/index.js';
import { collectionFile } from './files.js';
import { folderPath } from './grouping.js';
import { resolveCollectionsOptions, type CollectionsOptions, type ResolvedCollectionsOptions } from './options.js';
import { CollectionWriter } from './writer.js';

/** The plugin's name, also its tap name. */
const NAME = 'collections';

/** What the collections plugin offers other plugins, through `proxy.plugin<CollectionsApi>('collections')?.api`. */
export interface CollectionsApi {
  /** The options in use. */
  readonly options: ResolvedCollectionsOptions;
  /** The collection file, once the plugin is applied. */
  readonly file: string | undefined;
  /** Captured requests not yet written. */
  readonly pending: number;
  /** Writes waiting requests now (they are otherwise written within `flushInterval`). */
  flush(): Promise<void>;
}

/**
 * Creates the collections plugin: every captured request (and, with `saveResponses`, its
 * response as a saved example) is appended to a Postman Collection v2.1.0 file, in folders by
 * domain and/or endpoint, and the plugin adds `capture collection list|show|export`.
 */
export function collections(options: CollectionsOptions = {}): CapturePlugin<CollectionsApi> {
  const resolved = resolveCollectionsOptions(options);
  let writer: CollectionWriter | undefined;

  const api: CollectionsApi = {
    options: resolved,
    get file() {
      return writer?.file;
    },
    get pending() {
      return writer?.pending ?? 0;
    },
    flush: async () => writer?.flush(),
  };

  return {
    name: NAME,
    api,
    commands: collectionCommands(resolved),
    reconfigure: (overrides) => collections({ ...options, ...overrides }),
    async apply(proxy: CaptureProxy) {
      const file = collectionFile(resolved, proxy.dataDir);
      const current = new CollectionWriter(file, {
        name: resolved.name,
        flushInterval: resolved.flushInterval,
        onError: (error) => proxy.hooks.onError.call(error),
      });
      // A broken file stops the start here, with one line naming it, before anything is captured.
      await current.open();
      writer = current;
      proxy.hooks.onExchange.tap({ name: NAME, stage: Stage.STORAGE }, (exchange) => {
        // A failed exchange's response is the proxy's own 502/504, not the server's: no example for it.
        const item = toPostmanItem(exchange, { saveResponse: resolved.saveResponses && !exchange.error });
        // A request that got no answer is still worth keeping; say why it has no example.
        if (exchange.error) item.request.description = [item.request.description, `capture saw no response: ${exchange.error.message}.`].filter(Boolean).join(' ');
        current.push({ folders: folderPath(exchange.request.url, resolved.groupBy), item });
      });
      proxy.hooks.onClose.tapPromise(NAME, () => current.close());
    },
  };
}
