import { CaptureError, peerCoreRange, PluginError, Stage, type CapturePlugin } from '@capture/core';
import type { SourceExchange } from '@capture/postman-format';
import { collectionCommands } from './commands/index.js';
import { collectionsFlags } from './flags.js';
import { PLUGIN_NAME as NAME, resolveCollectionsOptions, type CollectionsOptions, type ResolvedCollectionsOptions } from './options.js';
import type { CollectionWriter } from './writer.js';

type Runtime = typeof import('./runtime.js');
let runtime: Promise<Runtime> | undefined;
/** The recording and saving side, imported when the plugin is applied or first saves (see runtime.ts). */
const loadRuntime = (): Promise<Runtime> => (runtime ??= import('./runtime.js'));

/** What the collections plugin offers other plugins, through `proxy.plugin('collections')?.api`. */
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
   * file is refused (a `PluginError` naming the plugin and the file) and left as it is.
   */
  save(name: string, exchanges: Iterable<SourceExchange>): Promise<{ file: string; added: number }>;
}

/**
 * Creates the collections plugin: every captured request (and, with `saveResponses`, its
 * response as a saved example) is appended to a Postman Collection v2.1.0 file, in folders by
 * domain and/or endpoint, and the plugin adds `capture collection list|show|export`.
 */
export function collections(options: CollectionsOptions = {}): CapturePlugin<CollectionsApi, CollectionsOptions> {
  const resolved = resolveCollectionsOptions(options);
  let writer: CollectionWriter | undefined;
  let dataDir: string | undefined;
  // Errors with no response to go to (a write that failed): the plugin context's, once applied.
  let report: (error: CaptureError, hook: string) => void = () => undefined;
  // Saves run one at a time, so two saves into one file never interleave their writes.
  let saving: Promise<unknown> = Promise.resolve();
  const itemFor = ({ toPostmanItem, folderPath }: Runtime, exchange: SourceExchange & { error?: unknown }) => {
    // A failed exchange's response is the proxy's own 502/504, not the server's: no example for it.
    const item = toPostmanItem(exchange, { saveResponse: resolved.saveResponses && !exchange.error });
    // A request that got no answer is still worth keeping; say why it has no example.
    if (exchange.error) item.request.description = [item.request.description, `capture saw no response: ${(exchange.error as { message?: string }).message ?? 'failed'}.`].filter(Boolean).join(' ');
    return { folders: folderPath(exchange.request.url, resolved.groupBy), item };
  };
  const saveInto = async (name: string, exchanges: Iterable<SourceExchange>) => {
    if (!dataDir) throw new CaptureError('COLLECTION_UNAVAILABLE', 'the plugin is not running');
    const loaded = await loadRuntime();
    const { collectionFile, CollectionWriter } = loaded;
    const file = collectionFile({ name, file: name === resolved.name ? resolved.file : undefined }, dataDir);
    const target = writer && file === writer.file ? writer : new CollectionWriter(file, { name, flushInterval: resolved.flushInterval, onError: (error) => report(error, 'save') });
    if (target !== writer) {
      const warning = await target.open();
      if (warning) report(new CaptureError('COLLECTION_UNSAFE', warning), 'save');
    }
    let added = 0;
    for (const exchange of exchanges) {
      target.push(itemFor(loaded, exchange));
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
      // Callers (other plugins, commands) get errors that name this plugin, as core words them.
      const done = saving.then(() => saveInto(name, exchanges)).catch((error: unknown) => {
        throw PluginError.from(NAME, 'save', error);
      });
      saving = done.catch(() => undefined);
      return done;
    },
  };

  return {
    name: NAME,
    core: peerCoreRange(import.meta.url),
    api,
    commands: collectionCommands(resolved),
    flags: collectionsFlags,
    reconfigure: (overrides: Partial<CollectionsOptions>) => collections({ ...options, ...overrides }),
    async apply(proxy, context) {
      dataDir = proxy.dataDir;
      report = (error, hook) => context.report(error, hook);
      const loaded = await loadRuntime();
      const { collectionFile, CollectionWriter } = loaded;
      const file = collectionFile(resolved, proxy.dataDir);
      // The running writer stores what onExchange hands it; its failures are reported as that hook's.
      const current = new CollectionWriter(file, { name: resolved.name, flushInterval: resolved.flushInterval, onError: (error) => report(error, 'onExchange') });
      // A broken file stops the start here, with one line naming it, before anything is captured.
      const warning = await current.open();
      writer = current;
      // Reported once the proxy listens, when whatever prints errors has tapped onError.
      if (warning) proxy.hooks.onListen.tap(NAME, () => context.report(new CaptureError('COLLECTION_UNSAFE', warning)));
      proxy.hooks.onExchange.tap({ name: NAME, stage: Stage.STORAGE }, (exchange) => current.push(itemFor(loaded, exchange)));
      proxy.hooks.onClose.tapPromise(NAME, () => current.close());
    },
  };
}
