import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A file of the page, held in memory. */
export interface Asset {
  type: string;
  body: Buffer;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * Where the built page is: `dist/app` beside the built plugin; when the plugin runs from source
 * (this package's own tests), the built copy, since the page is built by `tsup`.
 */
export function assetsFolder(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  return import.meta.url.endsWith('.ts') ? path.join(here, '..', 'dist', 'app') : path.join(here, 'app');
}

/** Reads the page's files, keyed by URL path (`/index.html`, `/app.js`). Missing files are an error naming the build step. */
export function readAssets(folder = assetsFolder()): Map<string, Asset> {
  if (!existsSync(path.join(folder, 'index.html'))) {
    throw new Error(`web: the page is not built (${folder} has no index.html); run "pnpm build" in packages/plugin-web`);
  }
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(folder)) {
    const type = TYPES[path.extname(name)];
    if (type) assets.set(`/${name}`, { type, body: readFileSync(path.join(folder, name)) });
  }
  return assets;
}
