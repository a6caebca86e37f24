import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliProcess, tempProject } from './helpers/cli-process.js';
import { startHttpsOrigin, type HttpsOrigin } from './helpers/https-origin.js';

// Issue 16 item 7: capture run, capture env and capture browser change nothing outside capture's
// data folder and their temporary profiles. HOME and TMPDIR are empty folders of the test's own;
// afterwards HOME holds the data folder alone and TMPDIR nothing, and the system stores are as before.

let project: ReturnType<typeof tempProject>;
let origin: HttpsOrigin;
let home: string;
let tmp: string;
const SYSTEM_STORES = ['/etc/ssl/certs/ca-certificates.crt', '/usr/local/share/ca-certificates', '/etc/ssl/certs', '/etc/pki/ca-trust/source/anchors'];

beforeAll(async () => {
  project = tempProject();
  origin = await startHttpsOrigin(project.dir);
  home = path.join(project.dir, 'home');
  tmp = path.join(project.dir, 'tmp');
  mkdirSync(home);
  mkdirSync(tmp);
});

afterAll(async () => {
  await origin?.close();
  project?.cleanup();
});

/** Every file and folder under `root`, relative to it. */
function tree(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      found.push(path.relative(root, full));
      if (entry.isDirectory() && !entry.isSymbolicLink()) walk(full);
    }
  };
  walk(root);
  return found.sort();
}

/** What a system store is now: a file's hash, a folder's listing with sizes and times. */
function snapshot(place: string): string {
  if (!existsSync(place)) return 'absent';
  const stat = statSync(place);
  if (stat.isFile()) return createHash('sha256').update(readFileSync(place)).digest('hex');
  return readdirSync(place)
    .sort()
    .map((name) => {
      const entry = statSync(path.join(place, name), { throwIfNoEntry: false });
      return `${name}:${entry?.size}:${entry?.mtimeMs}`;
    })
    .join('\n');
}

describe('nothing outside the data folder and temporary profiles changes', () => {
  it('capture run, capture env and capture browser leave HOME with the data folder only, TMPDIR empty, the system stores untouched', async () => {
    const before = SYSTEM_STORES.map(snapshot);
    const dataDir = path.join(home, '.capture-data');
    const env = { HOME: home, TMPDIR: tmp, CAPTURE_HOME: dataDir, XDG_CONFIG_HOME: '', XDG_CACHE_HOME: '', XDG_DATA_HOME: '', NODE_EXTRA_CA_CERTS: origin.certFile };
    const options = { cwd: project.dir, env };
    const url = `https://localhost:${origin.port}/isolated`;

    const run = await runCliProcess(['run', '--no-web', '--', 'curl', '-sS', url], options);
    expect(run.stdout).toBe('origin saw /isolated\n');
    expect((await runCliProcess(['env', '--shell', 'bash'], options)).code).toBe(0);
    if (existsSync('/usr/bin/chromium')) {
      const browser = await runCliProcess(['browser', '--browser', 'chromium', '--headless', '--no-web', `https://localhost:${origin.port}/page`], options);
      expect(browser.code).toBe(0);
    }

    const outside = tree(home).filter((entry) => entry !== '.capture-data' && !entry.startsWith(`.capture-data${path.sep}`));
    expect(outside).toEqual([]);
    expect(tree(tmp)).toEqual([]);
    expect(tree(dataDir)).toEqual(expect.arrayContaining(['env', path.join('env', 'ca-bundle.pem'), 'proxy']));
    expect(SYSTEM_STORES.map(snapshot)).toEqual(before);
    // And the one system-wide NSS store Chromium would use on Linux was not created or changed.
    expect(existsSync(path.join(home, '.pki'))).toBe(false);
  });
});
