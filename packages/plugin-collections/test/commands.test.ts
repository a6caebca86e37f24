import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCollection, startCollectionsProxy } from './helpers/collection.js';
import { runCollectionCommand } from './helpers/commands.js';
import { curl } from './helpers/curl.js';
import { startRecordingOrigin, type RecordingOrigin } from './helpers/origin.js';
import { schemaErrors } from './helpers/schema.js';
import { cleanupAll, tempDir } from './helpers/temp.js';

let origin: RecordingOrigin;
let home: string;
let outside: string;

beforeAll(async () => {
  origin = await startRecordingOrigin();
  home = tempDir();
  outside = path.join(tempDir(), 'shop.postman_collection.json');
  const demo = await startCollectionsProxy(home, { name: 'Demo', groupBy: 'domain,endpoint' });
  await curl(demo.port, [`${origin.url}/users/42`]);
  await curl(demo.port, [`${origin.url}/users/7`]);
  await curl(demo.port, [`http://localhost:${origin.port}/`]);
  await demo.close();
  const other = await startCollectionsProxy(home, { name: 'Other API' });
  await curl(other.port, [`${origin.url}/ping`]);
  await other.close();
  const shop = await startCollectionsProxy(home, { name: 'Shop', file: outside });
  await shop.close();
  writeFileSync(path.join(home, 'collections', 'broken.postman_collection.json'), 'nope');
  // Neither a hidden temporary file nor another kind of file is a collection.
  writeFileSync(path.join(home, 'collections', '.demo.postman_collection.json.1.0.tmp'), '{');
  writeFileSync(path.join(home, 'collections', 'notes.txt'), 'hi');
});
afterAll(async () => {
  await origin.close();
  cleanupAll();
});

describe('capture collection list', () => {
  it('lists every collection of the data folder with its request count, last change and file', async () => {
    const result = await runCollectionCommand(home, 'list');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+REQUESTS\s+UPDATED\s+FILE$/);
    expect(lines.slice(1).map((line) => line.split(/\s{2,}/))).toEqual([
      ['(not a collection)', '-', expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d$/), path.join(home, 'collections', 'broken.postman_collection.json')],
      ['Demo', '3', expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d$/), path.join(home, 'collections', 'demo.postman_collection.json')],
      ['Other API', '1', expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d$/), path.join(home, 'collections', 'other-api.postman_collection.json')],
    ]);
    expect(result.stderr).toMatch(/^capture: collections: .*broken\.postman_collection\.json is not valid JSON/);
  });

  it('includes the file the config names outside the data folder, and prints JSON with --json', async () => {
    const result = await runCollectionCommand(home, 'list', [], { json: true }, { name: 'Shop', file: outside });
    const list = JSON.parse(result.stdout) as Array<{ name: string | null; file: string; requests: number; updated: string; problem?: string }>;
    expect(list.map((entry) => [entry.name, entry.requests, entry.file])).toEqual([
      [null, 0, path.join(home, 'collections', 'broken.postman_collection.json')],
      ['Demo', 3, path.join(home, 'collections', 'demo.postman_collection.json')],
      ['Other API', 1, path.join(home, 'collections', 'other-api.postman_collection.json')],
      ['Shop', 0, outside],
    ]);
    expect(Number.isNaN(Date.parse(list[1]!.updated))).toBe(false);
    expect(list[0]!.problem).toContain('is not valid JSON');
  });

  it('says there are none yet in an empty data folder', async () => {
    const result = await runCollectionCommand(tempDir(), 'list');
    expect(result).toEqual({ code: 0, stdout: '', stderr: 'no collections yet (capture start --save-to collection --collection NAME creates one)\n' });
  });
});

describe('capture collection show', () => {
  it('draws the folder tree with the request names', async () => {
    const result = await runCollectionCommand(home, 'show', ['Demo']);
    expect(result.stdout).toBe(
      [
        'Demo (3 requests)',
        path.join(home, 'collections', 'demo.postman_collection.json'),
        `├── 127.0.0.1:${origin.port}  (2 requests)`,
        '│   └── /users/:id  (2 requests)',
        '│       ├── GET /users/42',
        '│       └── GET /users/7',
        `└── localhost:${origin.port}  (1 request)`,
        '    └── /  (1 request)',
        '        └── GET /',
        '',
      ].join('\n'),
    );
  });

  it('finds a collection by name in any case, by file name, or by path', async () => {
    for (const name of ['other api', 'other-api', 'other-api.postman_collection.json', path.join(home, 'collections', 'other-api.postman_collection.json')]) {
      const result = await runCollectionCommand(home, 'show', [name]);
      expect(result.stdout.split('\n')[0], name).toBe('Other API (1 request)');
    }
    expect((await runCollectionCommand(home, 'show', [outside])).stdout.split('\n')[0]).toBe('Shop (0 requests)');
  });

  it('names the known collections when there is no such one, and refuses a broken file', async () => {
    await expect(runCollectionCommand(home, 'show', ['Nope'])).rejects.toThrow(`collections: no collection "Nope" in ${path.join(home, 'collections')} (there are "Demo", "Other API")`);
    await expect(runCollectionCommand(tempDir(), 'show', ['Nope'])).rejects.toThrow('holds none yet (capture start --save-to collection --collection "Nope" creates it)');
    await expect(runCollectionCommand(home, 'show', ['broken'])).rejects.toThrow(/broken\.postman_collection\.json is not valid JSON/);
  });

  it('asks for the path when a name matches two collections', async () => {
    const twins = tempDir();
    mkdirSync(path.join(twins, 'collections'));
    for (const file of ['a', 'b']) {
      writeFileSync(path.join(twins, 'collections', `${file}.postman_collection.json`), JSON.stringify({ info: { name: 'Same', schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json' }, item: [] }));
    }
    await expect(runCollectionCommand(twins, 'show', ['Same'])).rejects.toThrow(/"Same" matches 2 collections \(.*a\.postman_collection\.json, .*b\.postman_collection\.json\); give the file path instead/);
  });
});

describe('capture collection export', () => {
  it('prints the collection as it is on disk, a valid v2.1.0 collection', async () => {
    const result = await runCollectionCommand(home, 'export', ['Demo']);
    expect(result.stdout).toBe(readFileSync(path.join(home, 'collections', 'demo.postman_collection.json'), 'utf8'));
    expect(schemaErrors(JSON.parse(result.stdout))).toEqual([]);
  });

  it('writes it to a file with -o and says so on stderr', async () => {
    const target = path.join(tempDir(), 'export.json');
    const result = await runCollectionCommand(home, 'export', ['demo'], { output: target });
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`exported "Demo" (3 requests) to ${target}\n`);
    expect(readCollection(target)).toEqual(readCollection(path.join(home, 'collections', 'demo.postman_collection.json')));
  });

  it('fails with one line when the file cannot be written', async () => {
    const target = path.join(tempDir(), 'no-such-folder', 'export.json');
    await expect(runCollectionCommand(home, 'export', ['Demo'], { output: target })).rejects.toThrow(`cannot write ${target}: ENOENT`);
  });
});
