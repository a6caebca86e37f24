import { z, validatePluginOptions } from '@capture/core';
import { DEFAULT_MAX_WEBSOCKET_MESSAGES } from './record.js';

/** The plugin's name, also its tap name. */
export const PLUGIN_NAME = 'websocket';

/** What users write: `websocket({ maxWebSocketMessages: 1000 })`. */
export interface WebSocketOptions {
  /** Messages kept per connection (default 10,000); later ones are counted in `droppedMessages`. */
  maxWebSocketMessages?: number;
}

/** The options with defaults filled in. */
export type ResolvedWebSocketOptions = Readonly<Required<WebSocketOptions>>;

const schema = z.strictObject({
  maxWebSocketMessages: z.number().int().min(0).optional(),
});

/** Validates options (a one-line `PluginError` naming each bad one) and fills defaults. */
export function resolveWebSocketOptions(options: WebSocketOptions = {}): ResolvedWebSocketOptions {
  const parsed = validatePluginOptions(PLUGIN_NAME, schema, options);
  return { maxWebSocketMessages: parsed.maxWebSocketMessages ?? DEFAULT_MAX_WEBSOCKET_MESSAGES };
}
