/** Stable codes for errors capture raises, so scripts and plugins can tell them apart. */
export type CaptureErrorCode =
  | 'CONFIG_INVALID'
  | 'PLUGIN_INVALID'
  | 'PLUGIN_DEPENDENCY_MISSING'
  | 'PLUGIN_CORE_MISMATCH'
  | 'PLUGIN_FAILED'
  | 'PATTERN_INVALID'
  | 'PORT_IN_USE'
  | 'LISTEN_FAILED'
  | 'USAGE'
  | (string & {});

/** The base of every error capture throws on purpose: it carries a code and a clear message. */
export class CaptureError extends Error {
  /** A stable code such as `CONFIG_INVALID`. */
  readonly code: CaptureErrorCode;

  constructor(code: CaptureErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CaptureError';
    this.code = code;
  }
}

/**
 * An error from a plugin, naming the plugin and where it failed (a hook, `apply`, its options).
 * The plugin's own code is kept: a `CaptureError` thrown by a plugin keeps its `code` (and is
 * also in `pluginCode`); anything else gets `PLUGIN_FAILED`.
 *
 * The message reads `history: <what the plugin said>` when the plugin threw a `CaptureError`
 * (it failed on purpose and said why), and `plugin "history" failed in onExchange: <message>`
 * for anything else (a bug, or an error from a library it called).
 */
export class PluginError extends CaptureError {
  /** The plugin's name. */
  readonly plugin: string;
  /** Where it failed: a hook name (`onExchange`), `apply`, `options` or `factory`. */
  readonly hook: string;
  /** The code of the `CaptureError` the plugin threw, if it threw one. */
  readonly pluginCode: string | undefined;

  constructor(plugin: string, hook: string, cause: unknown) {
    const own = cause instanceof CaptureError ? cause : undefined;
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(own?.code ?? 'PLUGIN_FAILED', own ? `${plugin}: ${reason}` : `plugin "${plugin}" failed in ${hook}: ${reason}`, { cause });
    this.name = 'PluginError';
    this.plugin = plugin;
    this.hook = hook;
    this.pluginCode = own?.code;
  }

  /**
   * `cause` as a PluginError of `plugin`: returned as it is when it already is one (so an error
   * is attributed once, to the plugin that raised it), wrapped otherwise.
   */
  static from(plugin: string, hook: string, cause: unknown): PluginError {
    return cause instanceof PluginError ? cause : new PluginError(plugin, hook, cause);
  }
}
