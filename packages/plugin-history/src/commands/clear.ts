import { CaptureError, type CommandInput } from '@capture/core';
import { withStore } from './open.js';

/**
 * `capture history clear`: deletes every exchange. It asks first on a terminal; without `--yes`
 * and without a terminal to ask on it refuses, so a script never wipes history by accident.
 */
export async function runClear({ options, context }: CommandInput): Promise<number> {
  if (!options.yes) {
    if (!context.interactive) throw new CaptureError('USAGE', 'history clear deletes every saved exchange: add --yes to confirm (no terminal to ask on)');
    const count = await withStore(context, (store) => store.count());
    if (!(await context.confirm(`Delete all ${count} exchange${count === 1 ? '' : 's'} from history?`))) {
      context.stderr.write('nothing deleted\n');
      return 1;
    }
  }
  const deleted = await withStore(context, (store) => store.clear());
  context.stderr.write(`deleted ${deleted} exchange${deleted === 1 ? '' : 's'} from history\n`);
  return 0;
}
