import { createRequire } from 'node:module';

/**
 * The `@capture/core` range a plugin package declares as its peerDependency, read from the
 * package.json beside its build (one level above both `src/` and `dist/`): the one place a
 * plugin states which core it is built for, so `CapturePlugin.core` never repeats it. Inside
 * this workspace the range is `workspace:^`, which pnpm replaces with a real range when the
 * package is packed; such ranges (and a missing entry) give undefined: nothing to check.
 *
 * @param moduleUrl The plugin's `import.meta.url`.
 * @example `core: peerCoreRange(import.meta.url)`
 */
export function peerCoreRange(moduleUrl: string): string | undefined {
  let manifest: { peerDependencies?: Record<string, string> };
  try {
    manifest = createRequire(moduleUrl)('../package.json') as typeof manifest;
  } catch {
    return undefined;
  }
  const range = manifest.peerDependencies?.['@capture/core'];
  return range === undefined || range.startsWith('workspace:') ? undefined : range;
}
