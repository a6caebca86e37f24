import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src');

/** Every module a worker entry loads at run time (type-only imports left out), with what it imports from packages. */
function runtimeGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const visit = (file: string) => {
    if (graph.has(file)) return;
    const text = readFileSync(path.join(srcDir, file), 'utf8');
    const specifiers = [...text.matchAll(/^(?:import|export)\s+(?!type\s)[^'";]*?from\s+'([^']+)'/gm)].map((match) => match[1]!);
    graph.set(file, specifiers.filter((specifier) => !specifier.startsWith('.')));
    for (const specifier of specifiers) if (specifier.startsWith('./')) visit(specifier.slice(2).replace(/\.js$/, '.ts'));
  };
  visit(entry);
  return graph;
}

describe('the writer and reader threads', () => {
  it.each(['write-worker.ts', 'read-worker.ts'])('%s never loads the proxy (@capture/core\'s main entry): only its data and record entries', (entry) => {
    const graph = runtimeGraph(entry);
    expect(graph.size).toBeGreaterThan(3);
    const offenders = [...graph].filter(([, packages]) => packages.includes('@capture/core')).map(([file]) => file);
    expect(offenders).toEqual([]);
    expect([...graph.values()].flat()).toContain('better-sqlite3');
  });
});
