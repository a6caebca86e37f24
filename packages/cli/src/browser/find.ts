import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { CaptureError } from '@capture/core';

/** The browsers `capture browser --browser` knows by name. */
export const BROWSER_NAMES = ['chromium', 'chrome', 'edge', 'firefox'] as const;

/** A browser `capture browser` knows by name. */
export type BrowserName = (typeof BROWSER_NAMES)[number];

/** How a browser is told to use capture: command-line switches (Chromium family) or a profile (Firefox). */
export type BrowserFamily = 'chromium' | 'firefox';

/** A browser found on this machine. */
export interface FoundBrowser {
  /** The executable. */
  readonly path: string;
  /** Which switches and profile it takes. */
  readonly family: BrowserFamily;
  /** What the summary calls it (`chromium`, `firefox`, or the executable's name for a path). */
  readonly name: string;
}

/** Executable names on PATH, then fixed install locations, per browser and platform. */
function candidates(name: BrowserName, platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string[] {
  const mac = (app: string, binary: string) => `/Applications/${app}.app/Contents/MacOS/${binary}`;
  const win = (...parts: string[]) => [env.PROGRAMFILES, env['PROGRAMFILES(X86)'], env.LOCALAPPDATA].filter(Boolean).map((root) => path.win32.join(root!, ...parts));
  switch (name) {
    case 'chromium':
      return platform === 'darwin' ? [mac('Chromium', 'Chromium')] : platform === 'win32' ? win('Chromium', 'Application', 'chrome.exe') : ['chromium', 'chromium-browser'];
    case 'chrome':
      return platform === 'darwin'
        ? [mac('Google Chrome', 'Google Chrome')]
        : platform === 'win32'
          ? win('Google', 'Chrome', 'Application', 'chrome.exe')
          : ['google-chrome', 'google-chrome-stable', 'chrome'];
    case 'edge':
      return platform === 'darwin'
        ? [mac('Microsoft Edge', 'Microsoft Edge')]
        : platform === 'win32'
          ? win('Microsoft', 'Edge', 'Application', 'msedge.exe')
          : ['microsoft-edge', 'microsoft-edge-stable'];
    case 'firefox':
      return platform === 'darwin' ? [mac('Firefox', 'firefox')] : platform === 'win32' ? win('Mozilla Firefox', 'firefox.exe') : ['firefox', 'firefox-esr'];
  }
}

/** The family of an executable given by path: Firefox by its name, else the Chromium family. */
export function familyOf(executable: string): BrowserFamily {
  return /firefox/i.test(path.basename(executable)) ? 'firefox' : 'chromium';
}

/**
 * Finds the browser to start: the one named (`chromium`, `chrome`, `edge`, `firefox`), a path to
 * an executable, or else the first installed of Chromium, Chrome, Edge and Firefox. A browser
 * that is not there is an error naming what was looked for.
 */
export function findBrowser(choice: string | undefined, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): FoundBrowser {
  if (choice && !(BROWSER_NAMES as readonly string[]).includes(choice)) {
    const file = path.resolve(choice);
    if (!isExecutable(file)) throw new CaptureError('USAGE', `--browser ${choice}: not one of ${BROWSER_NAMES.join(', ')} and not an executable file`);
    return { path: file, family: familyOf(file), name: path.basename(file).replace(/\.exe$/i, '') };
  }
  const names = choice ? [choice as BrowserName] : [...BROWSER_NAMES];
  const tried: string[] = [];
  for (const name of names) {
    for (const candidate of candidates(name, platform, env)) {
      tried.push(candidate);
      const found = path.isAbsolute(candidate) ? (isExecutable(candidate) ? candidate : undefined) : onPath(candidate, env, platform);
      if (found) return { path: found, family: name === 'firefox' ? 'firefox' : 'chromium', name };
    }
  }
  throw new CaptureError('BROWSER_NOT_FOUND', `no ${choice ?? 'browser'} found (looked for ${tried.join(', ')}); name one with --browser PATH`);
}

function onPath(command: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | undefined {
  const extensions = platform === 'win32' ? ['.exe', ''] : [''];
  for (const folder of (env.PATH ?? '').split(platform === 'win32' ? ';' : ':').filter(Boolean)) {
    for (const extension of extensions) {
      const file = path.join(folder, `${command}${extension}`);
      if (isExecutable(file)) return file;
    }
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
