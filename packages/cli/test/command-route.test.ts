import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CommandSpec } from '@capture/core';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_COMMANDS, commandRoute, SHIPPED_COMMANDS } from '../src/command-route.js';
import { DEFAULT_PLUGINS } from '../src/default-plugins.js';
import { runCliProcess, tempProject } from './helpers/cli-process.js';

let project: ReturnType<typeof tempProject> | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

/** The shipped plugin packages, as their files' paths show them (`…/plugin-history/dist/…`). */
const PLUGIN_FOLDERS = ['https', 'filters', 'grpc', 'websocket', 'history', 'os-certs', 'collections', 'web', 'openapi'];

/**
 * Runs the built `capture ARGS` with a module-loading hook (an ESM `load` hook plus
 * `require.cache` at exit) and returns the files it loaded.
 */
async function loadedFiles(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; files: string[] }> {
  const log = path.join(cwd, 'loaded.log');
  const hooks = path.join(cwd, 'hooks.mjs');
  const preload = path.join(cwd, 'preload.mjs');
  writeFileSync(log, '');
  writeFileSync(hooks, `import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) { if (url.startsWith('file:')) appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, context); }\n`);
  writeFileSync(
    preload,
    `import { register, createRequire } from 'node:module';\nimport { appendFileSync } from 'node:fs';\nimport { pathToFileURL } from 'node:url';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\nconst cache = createRequire(import.meta.url).cache;\nprocess.on('exit', () => appendFileSync(${JSON.stringify(log)}, Object.keys(cache).map((file) => pathToFileURL(file).href + '\\n').join('')));\n`,
  );
  const result = await runCliProcess(args, { cwd, env: { NODE_OPTIONS: `--import=${pathToFileURL(preload).href}` } });
  const files = readFileSync(log, 'utf8').split('\n').filter((line) => line && !line.startsWith(pathToFileURL(cwd).href));
  return { code: result.code, stdout: result.stdout, files };
}

/** The shipped plugins whose package files are among `files`. */
function pluginsIn(files: readonly string[]): string[] {
  return PLUGIN_FOLDERS.filter((name) => files.some((file) => file.includes(`/plugin-${name}/`)));
}

describe('which plugins a command loads', () => {
  it('names in SHIPPED_COMMANDS every top-level command the shipped plugins add, with the plugins that add it and what they depend on', async () => {
    const providers = new Map<string, Set<string>>();
    for (const entry of DEFAULT_PLUGINS) {
      const plugin = await entry.create();
      for (const spec of (plugin.commands ?? []) as readonly CommandSpec[]) {
        const names = providers.get(spec.name) ?? new Set<string>();
        names.add(plugin.name);
        for (const dependency of plugin.dependencies ?? []) names.add(dependency);
        providers.set(spec.name, names);
      }
    }
    expect(Object.keys(SHIPPED_COMMANDS).sort()).toEqual([...providers.keys()].sort());
    for (const [command, names] of providers) {
      for (const name of names) expect(SHIPPED_COMMANDS[command]!.plugins, `capture ${command} needs ${name}`).toContain(name);
    }
    // Every name in either table is a shipped plugin, and the CLI's commands are not the plugins'.
    const shipped = new Set(DEFAULT_PLUGINS.map((entry) => entry.name));
    for (const needs of [...Object.values(SHIPPED_COMMANDS), ...Object.values(CLI_COMMANDS)]) for (const name of needs.plugins) expect(shipped).toContain(name);
    for (const command of Object.keys(CLI_COMMANDS)) expect(providers.has(command)).toBe(false);
  });

  it('routes arguments to a command before anything is loaded', () => {
    expect(commandRoute([])).toMatchObject({ kind: 'command', name: 'start' });
    expect(commandRoute(['--version'])).toEqual({ kind: 'version' });
    expect(commandRoute(['-c', 'x.json', '-v'])).toEqual({ kind: 'version' });
    expect(commandRoute(['--config=x.json', 'history', 'list'])).toMatchObject({ kind: 'command', name: 'history' });
    expect(commandRoute(['help', 'openapi'])).toMatchObject({ kind: 'command', name: 'openapi' });
    expect(commandRoute(['--help'])).toEqual({ kind: 'all' });
    expect(commandRoute(['--port', '0'])).toEqual({ kind: 'all' });
    expect(commandRoute(['greet', 'say'])).toEqual({ kind: 'all' });
  });

  it('capture --version loads neither core, commander nor any plugin', async () => {
    project = tempProject();
    const { code, stdout, files } = await loadedFiles(['--version'], project.dir);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\d+\.\d+\.\d+/);
    expect(pluginsIn(files)).toEqual([]);
    expect(files.filter((file) => /\/(core\/dist|commander|cosmiconfig)\//.test(file))).toEqual([]);
  });

  it('capture history list loads the history plugin and no other plugin package', async () => {
    project = tempProject();
    const { code, stdout, files } = await loadedFiles(['history', 'list', '--search', 'x', '--json'], project.dir);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([]);
    expect(pluginsIn(files)).toEqual(['history']);
  });

  it('capture ca path loads https and os-certs only', async () => {
    project = tempProject();
    const { code, stdout, files } = await loadedFiles(['ca', 'path'], project.dir);
    expect(code).toBe(0);
    expect(stdout).toContain('capture-proxy-ca.crt');
    expect(pluginsIn(files)).toEqual(['https', 'os-certs']);
  });
});
