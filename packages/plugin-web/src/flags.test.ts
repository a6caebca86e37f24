import { describe, expect, it } from 'vitest';
import { CaptureError } from '@capture/core';
import { web } from './plugin.js';

describe('--web-port', () => {
  const [flag] = web().flags!;

  it('is declared by the plugin, with its help line', () => {
    expect(flag).toMatchObject({ flags: '--web-port <port>', description: 'port of the live web view (default 5556, or a free one when 5556 is taken; 0 picks a free one)' });
  });

  it('takes a port from 0 to 65535 as webPort', () => {
    expect(flag!.toOptions(flag!.parse!('5557', undefined))).toEqual({ webPort: 5557 });
    expect(flag!.toOptions(flag!.parse!('0', undefined))).toEqual({ webPort: 0 });
    expect(web().reconfigure!(flag!.toOptions(flag!.parse!('0', undefined))).name).toBe('web');
  });

  it.each(['x', '65536', '-1', '12.5', ''])('refuses %j as a usage error', (value) => {
    let thrown: unknown;
    try {
      flag!.parse!(value, undefined);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CaptureError);
    expect(thrown).toMatchObject({ code: 'USAGE', message: `--web-port expects a number from 0 to 65535, got "${value}"` });
  });
});
