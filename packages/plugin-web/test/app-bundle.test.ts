import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The page bundles core's record helpers (`@capture/core/record`): the bundle must stay one
// browser script, with nothing of Node in it and nothing left to load at run time.

describe('the built page', () => {
  const script = readFileSync(new URL('../dist/app/app.js', import.meta.url), 'utf8');

  it('is one script with no imports, requires or Node modules', () => {
    expect(script).not.toMatch(/\brequire\(|\bimport\s*[({'"]|from\s*["']|["']node:/);
  });

  it("carries core's size units (formatBytes), not a copy of its own", () => {
    expect(script).toContain('"kB","MB","GB","TB"');
  });
});
