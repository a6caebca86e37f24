import { afterEach, describe, expect, it } from 'vitest';
import type { CapturePlugin } from '@capture/core';
import history, { type HistoryApi } from '@capture/plugin-history';
import collections, { type CollectionsApi } from '@capture/plugin-collections';
import { resolveStartPlugins, startCandidates } from '../src/default-plugins.js';
import { choicesFromFlags } from '../src/start-flags.js';
import { runCliProcess, tempProject } from './helpers/cli-process.js';

/** The plugins `capture start` runs for flags as the parser gives them: `{ '--save-to <where>': 'collection' }`. */
async function startPlugins(given: Record<string, unknown>, configured?: CapturePlugin[]) {
  const candidates = await startCandidates(configured);
  const plugins = resolveStartPlugins(candidates, choicesFromFlags(candidates, (flag) => given[flag]));
  const byName = new Map(plugins.map((plugin) => [plugin.name, plugin]));
  return {
    names: plugins.map((plugin) => plugin.name),
    history: (byName.get('history')?.api as HistoryApi | undefined)?.options,
    collections: (byName.get('collections')?.api as CollectionsApi | undefined)?.options,
  };
}

describe('storage flags of capture start', () => {
  it('save to history by default, with responses, and leave collections out', async () => {
    const started = await startPlugins({});
    expect(started.names).toEqual(['https', 'filters', 'grpc', 'websocket', 'history', 'web', 'openapi']);
    expect(started.history?.saveResponses).toBe(true);
  });

  it('--save-to collection replaces history with collections; --collection and --group-by configure it', async () => {
    const started = await startPlugins({ '--save-to <where>': 'collection', '--collection <name>': 'Demo', '--group-by <grouping>': ['domain', 'endpoint'] });
    expect(started.names).toEqual(['https', 'filters', 'grpc', 'websocket', 'collections', 'web', 'openapi']);
    expect(started.collections).toMatchObject({ name: 'Demo', groupBy: ['domain', 'endpoint'], saveResponses: false });
  });

  it('--save-responses and --no-save-responses go to whichever storage runs, never adding the other', async () => {
    expect((await startPlugins({ '--save-to <where>': 'collection', '--save-responses': true })).collections?.saveResponses).toBe(true);
    const historyOnly = await startPlugins({ '--no-save-responses': false });
    expect(historyOnly.names).toEqual(['https', 'filters', 'grpc', 'websocket', 'history', 'web', 'openapi']);
    expect(historyOnly.history?.saveResponses).toBe(false);
    // A config with only collections: the flag configures it and does not bring history in.
    const fromConfig = await startPlugins({ '--save-responses': true }, [collections({ name: 'Mine' })]);
    expect(fromConfig.names).toEqual(['collections']);
    expect(fromConfig.collections).toMatchObject({ name: 'Mine', saveResponses: true });
    // A config with both: both get it.
    const both = await startPlugins({ '--no-save-responses': false }, [history(), collections({ saveResponses: true })]);
    expect([both.history?.saveResponses, both.collections?.saveResponses]).toEqual([false, false]);
    // A config with neither storage: history is added for the flag, as before.
    expect((await startPlugins({ '--no-save-responses': false }, [])).names).toEqual(['history']);
  });

  it('--collection alone adds collections beside history', async () => {
    const started = await startPlugins({ '--collection <name>': 'Demo' });
    expect(started.names).toEqual(['https', 'filters', 'grpc', 'websocket', 'history', 'collections', 'web', 'openapi']);
  });

  describe('as typed on the command line', () => {
    let project: ReturnType<typeof tempProject> | undefined;
    afterEach(() => project?.cleanup());

    it('a bad --group-by is a usage error naming the flag and the value', async () => {
      project = tempProject();
      const result = await runCliProcess(['start', '--port', '0', '--group-by', 'host'], { cwd: project.dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--group-by expects "none", "domain", "endpoint", "domain,endpoint" or a list of "domain" and "endpoint", got "host"');
    });
  });
});
