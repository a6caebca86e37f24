import { CaptureError, type PluginFlag } from '@capture/core';
import { parseGroupBy, type CollectionsOptions, type GroupLevel } from './options.js';

/**
 * The `capture start` flags of the collections plugin. Either of them also adds the plugin to
 * `capture start` when it is not running (a flag of a plugin brings it in).
 */
export const collectionsFlags: readonly PluginFlag<CollectionsOptions>[] = [
  {
    flags: '--collection <name>',
    description: 'the Postman collection to save to (default "Captured requests"), in <data>/collections',
    toOptions: (value) => ({ name: value as string }),
  },
  {
    flags: '--group-by <grouping>',
    description: 'organize the collection in folders by domain, endpoint, or domain,endpoint (default: none, in capture order)',
    parse: (value) => {
      const levels = parseGroupBy(value);
      if (typeof levels === 'string') throw new CaptureError('USAGE', `--group-by ${levels.replace(/^expected/, 'expects')}`);
      return levels;
    },
    toOptions: (value) => ({ groupBy: value as GroupLevel[] }),
  },
];
