import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { CapturePlugin } from '@capture/core';
import { choiceFlags, choicesFromFlags, pluginFlags } from '../start-flags.js';
import type { StartCandidate } from '../default-plugins.js';
import { addStartFlags } from './start-options.js';

/** A plugin that only declares flags. */
const plugin = (name: string, flags: CapturePlugin['flags']): CapturePlugin => ({ name, flags, apply() {}, reconfigure: () => plugin(name, flags) });
const candidate = (name: string, flags: CapturePlugin['flags'], runsByDefault = true): StartCandidate => ({ plugin: plugin(name, flags), runsByDefault });

function parse(candidates: StartCandidate[], argv: string[]) {
  const command = new Command('start').exitOverride().option('-p, --port <port>', 'port');
  const given = addStartFlags(command, [...choiceFlags(candidates), ...pluginFlags(candidates)]);
  command.parse(argv, { from: 'user' });
  return choicesFromFlags(candidates, given);
}

describe('capture start flags from plugins', () => {
  it('maps the values given through each flag of its plugin; flags left alone give nothing', () => {
    const list = candidate('lists', [
      { flags: '--item <x>', description: 'repeatable', parse: (value, previous) => [...((previous as string[] | undefined) ?? []), value], toOptions: (value) => ({ items: value }) },
      { flags: '--loud', description: 'on', toOptions: () => ({ loud: true }) },
      { flags: '--no-colour', description: 'off', toOptions: (value) => ({ colour: value }) },
    ]);
    expect(parse([list], ['--item', 'a', '--item', 'b', '--no-colour']).overrides.get('lists')).toEqual({ items: ['a', 'b'], colour: false });
    expect(parse([list], []).overrides.size).toBe(0);
  });

  it('turns off a plugin that runs by default with --no-<name>, and offers no such flag for an opt-in one', () => {
    expect([...parse([candidate('one', []), candidate('two', [], false)], ['--no-one']).disabled]).toEqual(['one']);
    expect(() => parse([candidate('one', []), candidate('two', [], false)], ['--no-two'])).toThrow(/unknown option '--no-two'/);
  });

  it('refuses one option key from two owners, --x and --no-x included', () => {
    const yes = candidate('yes', [{ flags: '--colour <c>', description: '', toOptions: () => ({}) }]);
    const no = candidate('no', [{ flags: '--no-colour', description: '', toOptions: () => ({}) }]);
    expect(() => parse([yes, no], [])).toThrow('plugins "yes" and "no" both declare the capture start flag "--no-colour"');
    const short = candidate('short', [{ flags: '-p, --pretty', description: '', toOptions: () => ({}) }]);
    expect(() => parse([short], [])).toThrow('plugin "short" declares the capture start flag "-p", which capture already has');
  });
});
