import path from 'node:path';

/** The shells `capture env --shell` prints for. */
export const SHELLS = ['bash', 'zsh', 'fish', 'powershell', 'cmd'] as const;

/** A shell `capture env` prints for. */
export type Shell = (typeof SHELLS)[number];

/** The shell to print for when none is named: PowerShell on Windows, else the login shell if it is one we know, else bash. */
export function defaultShell(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): Shell {
  if (platform === 'win32') return 'powershell';
  const login = path.basename(env.SHELL ?? '');
  return (SHELLS as readonly string[]).includes(login) ? (login as Shell) : 'bash';
}

/** One line that sets `name` to `value` in `shell` (an empty value clears it). */
export function setLine(shell: Shell, name: string, value: string): string {
  switch (shell) {
    case 'bash':
    case 'zsh':
      return `export ${name}=${posixQuote(value)}`;
    case 'fish':
      return `set -gx ${name} ${fishQuote(value)}`;
    case 'powershell':
      return `$env:${name} = ${powershellQuote(value)}`;
    case 'cmd':
      // `set "NAME=value"`: everything up to the last quote is the value, so none needs escaping.
      return `set "${name}=${value}"`;
  }
}

/** One line that removes `name` in `shell`. */
export function unsetLine(shell: Shell, name: string): string {
  switch (shell) {
    case 'bash':
    case 'zsh':
      return `unset ${name}`;
    case 'fish':
      return `set -e ${name}`;
    case 'powershell':
      return `Remove-Item Env:${name} -ErrorAction SilentlyContinue`;
    case 'cmd':
      return `set "${name}="`;
  }
}

/** A comment line in `shell`. */
export function commentLine(shell: Shell, text: string): string {
  return shell === 'cmd' ? `REM ${text}` : `# ${text}`;
}

/** Single quotes for sh, bash and zsh: nothing inside expands; a quote is closed, escaped and reopened. */
export function posixQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Single quotes for fish, where only `\\` and `\'` are escapes inside them. */
export function fishQuote(value: string): string {
  return `'${value.replace(/[\\']/g, '\\$&')}'`;
}

/** Single quotes for PowerShell: verbatim, a quote written twice. */
export function powershellQuote(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
