import type { CommandInput } from '@capture/core';
import { treeOf, type TreeNode } from '../document.js';
import { documentOf, findEntry } from './catalog.js';

/** `capture collection show NAME`: the collection's folder tree with the names of its requests. */
export async function runShow({ args, context }: CommandInput, configuredFile: string | undefined): Promise<number> {
  const entry = await findEntry(String(args[0]), context.dataDir, configuredFile);
  const document = documentOf(entry);
  context.stdout.write(`${document.info.name} (${entry.requests} request${entry.requests === 1 ? '' : 's'})\n${entry.file}\n`);
  context.stdout.write(formatTree(treeOf(document.item)));
  return 0;
}

/** Draws a tree with box-drawing lines; folders show how many requests they hold, subfolders included. */
export function formatTree(nodes: readonly TreeNode[], indent = ''): string {
  let out = '';
  nodes.forEach((node, index) => {
    const last = index === nodes.length - 1;
    const count = node.children ? leaves(node.children) : 0;
    const label = node.children ? `${node.name}  (${count} request${count === 1 ? '' : 's'})` : node.name;
    out += `${indent}${last ? '└── ' : '├── '}${label}\n`;
    if (node.children) out += formatTree(node.children, `${indent}${last ? '    ' : '│   '}`);
  });
  return out;
}

function leaves(nodes: readonly TreeNode[]): number {
  return nodes.reduce((sum, node) => sum + (node.children ? leaves(node.children) : 1), 0);
}
