import { CaptureError, Stage, type CapturePlugin, type CaptureProxy } from '@capture/core';
import { toPostmanItem, type SourceExchange } from '@capture/postman-format';
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
  /**
   * Appends exchanges to the collection called `name` (its file in the data folder, created when
   * missing; the running collection when `name` is its own), in this plugin's folders, with
   * responses as examples when `saveResponses` is on. Resolves once they are on disk; a broken
   * file is refused (a `CaptureError` naming it) and left as it is.
   */
  save(name: string, exchanges: Iterable<SourceExchange>): Promise<{ file: string; added: number }>;
}

/**
 * Creates the collections plugin: every captured request (and, with `saveResponses`, its
 * response as a saved example) is appended to a Postman Collection v2.1.0 file, in folders by
 * domain and/or endpoint, and the plugin adds `capture collection list|show|export`.
 */
export function collections(options: CollectionsOptions = {}): CapturePlugin<CollectionsApi> {
  const resolved = resolveCollectionsOptions(options);
  let writer: CollectionWriter | undefined;
  let dataDir: string | undefined;
  let report: (error: CaptureError) => void = () => undefined;
  // Saves run one at a time, so two saves into one file never interleave their writes.
  let saving: Promise<unknown> = Promise.resolve();
  const itemFor = (exchange: SourceExchange & { error?: unknown }) => {
    // A failed exchange's response is the proxy's own 502/504, not the server's: no example for it.
    const item = toPostmanItem(exchange, { saveResponse: resolved.saveResponses && !exchange.error });
    // A request that got no answer is still worth keeping; say why it has no example.
    if (exchange.error) item.request.description = [item.request.description, `capture saw no response: ${(exchange.error as { message?: string }).message ?? 'failed'}.`].filter(Boolean).join(' ');
    return { folders: folderPath(exchange.request.url, resolved.groupBy), item };
  };
  const saveInto = async (name: string, exchanges: Iterable<SourceExchange>) => {
    if (!dataDir) throw new CaptureError('COLLECTION_UNAVAILABLE', 'collections: the plugin is not running');
    const file = collectionFile({ name, file: name === resolved.name ? resolved.file : undefined }, dataDir);
    const target = writer && file === writer.file ? writer : new CollectionWriter(file, { name, flushInterval: resolved.flushInterval, onError: report });
    if (target !== writer) await target.open();
    let added = 0;
    for (const exchange of exchanges) {
      target.push(itemFor(exchange));
      added++;
    }
    await (target === writer ? target.flush() : target.close());
    return { file, added };
  };

  const api: CollectionsApi = {
    options: resolved,
    get file() {
      return writer?.file;
    },
    get pending() {
      return writer?.pending ?? 0;
    },
    flush: async () => writer?.flush(),
    save: (name, exchanges) => {
      const done = saving.then(() => saveInto(name, exchanges));
      saving = done.catch(() => undefined);
      return done;
    },
  };

  return {
    name: NAME,
    api,
    commands: collectionCommands(resolved),
    reconfigure: (overrides) => collections({ ...options, ...overrides }),
    async apply(proxy: CaptureProxy) {
      dataDir = proxy.dataDir;
      report = (error) => proxy.hooks.onError.call(error);
      const file = collectionFile(resolved, proxy.dataDir);
      const current = new CollectionWriter(file, {
        name: resolved.name,
        flushInterval: resolved.flushInterval,
        onError: (error) => proxy.hooks.onError.call(error),
      });
      // A broken file stops the start here, with one line naming it, before anything is captured.
      await current.open();
      writer = current;
      proxy.hooks.onExchange.tap({ name: NAME, stage: Stage.STORAGE }, (exchange) => current.push(itemFor(exchange)));
      proxy.hooks.onClose.tapPromise(NAME, () => current.close());
    },
  };
}
