import path from 'node:path';
import { cosmiconfig, defaultLoaders, type Loader } from 'cosmiconfig';
import type { Jiti } from 'jiti';
import { formatSyntaxError, syntaxLocation } from './config-error-location.js';
import { CaptureError, type CaptureConfig, type CapturePlugin, type PluginFactoryContext, type PluginInput } from '@capture/core';

/** Config files written in code, where options can hold RegExps; the others are data (JSON, YAML). */
const CODE_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);

/** The module name cosmiconfig searches for: `capture.config.*`, `.capturerc*`, `"capture"` in package.json. */
export const MODULE_NAME = 'capture';

/** Where config files are looked for, in order, in each folder from the working directory up. */
export const SEARCH_PLACES = [
  'package.json',
  '.capturerc',
  '.capturerc.json',
  '.capturerc.yaml',
  '.capturerc.yml',
  'capture.config.ts',
  'capture.config.mts',
  'capture.config.cts',
  'capture.config.js',
  'capture.config.mjs',
  'capture.config.cjs',
  'capture.config.json',
  'capture.config.yaml',
  'capture.config.yml',
];

/** A config as found on disk. */
export interface LoadedConfig {
  /** The config, with plugin names from JSON/YAML already turned into plugin objects. */
  config: CaptureConfig;
  /** The file it came from; undefined when none was found. */
  filepath: string | undefined;
  /** The folder relative paths in the config resolve against. */
  dir: string;
}

/**
 * Loads TypeScript configs on Node 20 without a build step. jiti (about 15 MiB and 70 ms to
 * import) is loaded only here, when the config found is TypeScript.
 */
const loadTypeScript: Loader = async (filepath) => {
  const { createJiti } = await import('jiti');
  const jiti = createJiti(filepath, { interopDefault: true, moduleCache: false });
  return jiti.import(filepath, { default: true });
};

/** A config file that failed to load (threw, or could not be parsed). */
class ConfigLoadError extends Error {
  constructor(
    readonly filepath: string,
    readonly original: unknown,
    readonly content?: string,
  ) {
    super(original instanceof Error ? original.message : String(original));
  }
}

/** Remembers which file failed, which cosmiconfig's search does not say. */
const remembersFile =
  (loader: Loader): Loader =>
  async (filepath, content) => {
    try {
      return await loader(filepath, content);
    } catch (error) {
      throw new ConfigLoadError(filepath, error, content);
    }
  };

const LOADERS = Object.fromEntries(
  Object.entries({ ...defaultLoaders, '.ts': loadTypeScript, '.mts': loadTypeScript, '.cts': loadTypeScript }).map(([extension, loader]) => [
    extension,
    remembersFile(loader as Loader),
  ]),
);

/**
 * Finds and loads the capture config: `configFile` when given, else the first match of
 * {@link SEARCH_PLACES} from `cwd` up to the project root. Errors name the file and the key.
 */
export async function loadConfig(options: { cwd?: string; configFile?: string } = {}): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const explorer = cosmiconfig(MODULE_NAME, {
    searchPlaces: SEARCH_PLACES,
    searchStrategy: 'project',
    cache: false,
    loaders: LOADERS,
  });
  let result: { config: unknown; filepath: string; isEmpty?: boolean } | null;
  const file = options.configFile ? path.resolve(cwd, options.configFile) : undefined;
  try {
    result = file ? await explorer.load(file) : await explorer.search(cwd);
  } catch (error) {
    const failed = error instanceof ConfigLoadError ? error.filepath : file;
    const shown = failed ? path.relative(cwd, failed) || failed : 'config';
    const reason = error instanceof Error ? error.message : String(error);
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && file) {
      throw new CaptureError('CONFIG_INVALID', `${shown}: no such config file`);
    }
    if (error instanceof ConfigLoadError) {
      const location = syntaxLocation(error.original, error.filepath, error.content);
      if (location) throw new CaptureError('CONFIG_INVALID', formatSyntaxError(location, cwd, error.content, error.filepath), { cause: error.original });
    }
    throw new CaptureError('CONFIG_INVALID', `${shown}: failed to load: ${firstLine(reason)}`, { cause: error });
  }
  if (!result || result.isEmpty) {
    return { config: {}, filepath: result?.filepath, dir: result ? path.dirname(result.filepath) : cwd };
  }
  const filepath = result.filepath;
  const source = path.relative(cwd, filepath) || filepath;
  let raw = result.config;
  if (typeof raw === 'function') raw = await (raw as () => unknown)();
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new CaptureError('CONFIG_INVALID', `${source}: expected the config to be an object, got ${describe(raw)}`);
  }
  const config = { ...(raw as Record<string, unknown>) } as CaptureConfig & { plugins?: unknown };
  if (config.plugins !== undefined) {
    if (!Array.isArray(config.plugins)) {
      throw new CaptureError('CONFIG_INVALID', `${source}: option "plugins": expected a list, got ${describe(config.plugins)}`);
    }
    config.plugins = await resolvePluginEntries(config.plugins, filepath, source);
  }
  if (typeof config.dataDir === 'string') config.dataDir = path.resolve(path.dirname(filepath), config.dataDir);
  return { config, filepath, dir: path.dirname(filepath) };
}

/**
 * Turns JSON/YAML plugin entries (`"@capture/plugin-history"`, `["./my-plugin.ts", { ... }]`)
 * into plugin objects by importing the module and calling its default export (the factory).
 * Plugin objects given directly (TypeScript/JavaScript configs) pass through.
 */
async function resolvePluginEntries(entries: unknown[], filepath: string, source: string): Promise<PluginInput[]> {
  // Created on the first entry named by a string: plugin objects alone need no jiti.
  let created: Promise<Jiti> | undefined;
  const jiti = () => (created ??= import('jiti').then(({ createJiti }) => createJiti(filepath, { interopDefault: true, moduleCache: false })));
  const context: PluginFactoryContext = { format: CODE_EXTENSIONS.has(path.extname(filepath)) ? 'code' : 'data' };
  const resolved: PluginInput[] = [];
  for (const [index, entry] of entries.entries()) {
    const key = `plugins[${index}]`;
    if (!entry || typeof entry === 'object') {
      if (Array.isArray(entry) && typeof entry[0] === 'string') {
        resolved.push(await instantiate(jiti, entry[0], entry[1], `${source}: ${key}`, context));
        continue;
      }
      if (Array.isArray(entry)) {
        resolved.push(entry as PluginInput);
        continue;
      }
      if (entry && typeof (entry as CapturePlugin).apply !== 'function') {
        const name = typeof (entry as { name?: unknown }).name === 'string' ? `"${(entry as { name: string }).name}" ` : '';
        throw new CaptureError('PLUGIN_INVALID', `${source}: ${key}: plugin ${name}has no apply(proxy) function`);
      }
      resolved.push(entry as PluginInput);
      continue;
    }
    if (typeof entry === 'string') {
      resolved.push(await instantiate(jiti, entry, undefined, `${source}: ${key}`, context));
      continue;
    }
    throw new CaptureError(
      'PLUGIN_INVALID',
      `${source}: ${key}: expected a plugin, a package name or path, or [name, options]; got ${describe(entry)}`,
    );
  }
  return resolved;
}

/**
 * Imports a plugin module: paths and packages resolve from the config's folder first; a package
 * that is not installed there resolves from the CLI's own installation, so the plugins that ship
 * with the CLI (`"@capture/plugin-history"` in a JSON or YAML config) are found wherever the
 * config lives.
 */
async function importPlugin(jiti: () => Promise<Jiti>, specifier: string): Promise<unknown> {
  try {
    return await (await jiti()).import(specifier, { default: true });
  } catch (error) {
    // jiti resolves packages as require() does, which also fails for ESM-only packages found on
    // NODE_PATH (pnpm's shims set it): ERR_PACKAGE_PATH_NOT_EXPORTED. Both fall back.
    if (!(isNotFound(error) || isNotExported(error)) || !isPackageName(specifier)) throw error;
    let shipped: string;
    try {
      shipped = import.meta.resolve(specifier);
    } catch {
      throw error;
    }
    return (await jiti()).import(shipped, { default: true });
  }
}

/** True for a bare package specifier (`@capture/plugin-history`, `capture-plugin-x`), not a path or URL. */
function isPackageName(specifier: string): boolean {
  return !/^(\.{1,2}[\\/]|[\\/]|[a-zA-Z]:[\\/]|file:)/.test(specifier);
}

/** True when a package was found but offers no entry for require() (an ESM-only package). */
function isNotExported(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ERR_PACKAGE_PATH_NOT_EXPORTED' || /No "exports" main defined/.test(String(error));
}

/** True when an import failed because the module is not there (as opposed to failing as it loaded). */
function isNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND' || /Cannot find module/.test(String(error));
}

async function instantiate(
  jiti: () => Promise<Jiti>,
  specifier: string,
  options: unknown,
  where: string,
  context: PluginFactoryContext,
): Promise<CapturePlugin> {
  let factory: unknown;
  try {
    factory = await importPlugin(jiti, specifier);
  } catch (error) {
    const notFound = isNotFound(error);
    throw new CaptureError(
      'PLUGIN_INVALID',
      notFound
        ? `${where}: cannot find plugin "${specifier}" (is it installed, or is the path right?)`
        : `${where}: plugin "${specifier}" failed to load: ${firstLine(error instanceof Error ? error.message : String(error))}`,
      { cause: error },
    );
  }
  if (typeof factory !== 'function') {
    throw new CaptureError('PLUGIN_INVALID', `${where}: "${specifier}" has no default export that creates a plugin (got ${describe(factory)})`);
  }
  let plugin: unknown;
  try {
    plugin = await (factory as (options: unknown, context: PluginFactoryContext) => unknown)(options, context);
  } catch (error) {
    throw new CaptureError('PLUGIN_INVALID', `${where}: "${specifier}": ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (!plugin || typeof (plugin as CapturePlugin).apply !== 'function') {
    throw new CaptureError('PLUGIN_INVALID', `${where}: "${specifier}" did not return a plugin with an apply(proxy) function`);
  }
  return plugin as CapturePlugin;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `"${value}"`;
  return typeof value;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
