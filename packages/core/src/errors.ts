/** Stable codes for errors capture raises, so scripts and plugins can tell them apart. */
export type CaptureErrorCode =
  | 'CONFIG_INVALID'
  | 'PLUGIN_INVALID'
  | 'PLUGIN_DEPENDENCY_MISSING'
  | 'PLUGIN_FAILED'
  | 'PORT_IN_USE'
  | 'LISTEN_FAILED'
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

/** An error thrown by a plugin's tap, rethrown naming the plugin and the hook it failed in. */
export class PluginError extends CaptureError {
  /** The plugin (tap) name. */
  readonly plugin: string;
  /** The hook it failed in, e.g. `onExchange`. */
  readonly hook: string;

  constructor(plugin: string, hook: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('PLUGIN_FAILED', `plugin "${plugin}" failed in ${hook}: ${reason}`, { cause });
    this.name = 'PluginError';
    this.plugin = plugin;
    this.hook = hook;
  }
}
