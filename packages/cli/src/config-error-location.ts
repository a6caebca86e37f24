import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Where a config file failed to parse: 1-based line and column, and the reason without the location. */
export interface SyntaxLocation {
  /** The file the error is in (the config, or a file it imports). */
  file: string;
  line: number;
  column: number;
  reason: string;
}

/**
 * The location of a syntax error thrown while loading `filepath` (whose text is `content`), or
 * undefined when the error is not a syntax error or says nothing about where. Knows the errors
 * of the loaders in use: js-yaml's `YAMLException` (0-based `mark`), cosmiconfig's `JSONError`
 * (re-parsed with `JSON.parse` for the offset), jiti's `ParseError: reason \n file:line:col`
 * (0-based column) and Node's own `SyntaxError` for JavaScript (`file:line` in the stack).
 */
export function syntaxLocation(error: unknown, filepath: string, content: string | undefined): SyntaxLocation | undefined {
  if (!(error instanceof Error)) return undefined;
  const mark = (error as { mark?: { line?: unknown; column?: unknown } }).mark;
  if (error.name === 'YAMLException' && mark && typeof mark.line === 'number' && typeof mark.column === 'number') {
    const reason = (error as { reason?: unknown }).reason;
    return { file: filepath, line: mark.line + 1, column: mark.column + 1, reason: typeof reason === 'string' ? reason : 'invalid YAML' };
  }
  if (error.name === 'JSONError' && content !== undefined) return jsonLocation(filepath, content);
  const parse = /^(?:ParseError|SyntaxError): ([^\n]*?)\s*\n\s*(\S.*?):(\d+):(\d+)\s*$/s.exec(error.message);
  if (parse) {
    return { file: parse[2]!, line: Number(parse[3]), column: Number(parse[4]) + 1, reason: parse[1]!.trim() || 'syntax error' };
  }
  if (error.name === 'SyntaxError' && error.stack) {
    // Node puts `file:///…/capture.config.mjs:3` (and the line and a caret) before the message.
    const where = /^(?:file:\/\/)?(\S+?):(\d+)\n([^\n]*)\n(\s*)\^/.exec(error.stack);
    if (where) {
      const file = where[1]!.startsWith('/') ? decodeURIComponent(where[1]!) : where[1]!;
      return { file, line: Number(where[2]), column: where[4]!.length + 1, reason: error.message };
    }
  }
  return undefined;
}

function jsonLocation(filepath: string, content: string): SyntaxLocation | undefined {
  const text = content.replace(/^\uFEFF/, '');
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message);
    const lineColumn = /\(line (\d+) column (\d+)\)/.exec(message);
    const reason = message.replace(/ in JSON at position \d+.*$/s, '').replace(/\s*\(line \d+ column \d+\)/, '').replace(/^JSON\.parse: /, '');
    if (lineColumn) return { file: filepath, line: Number(lineColumn[1]), column: Number(lineColumn[2]), reason };
    const offset = position ? Number(position[1]) : text.trimEnd().length;
    const before = text.slice(0, offset).split('\n');
    return { file: filepath, line: before.length, column: before[before.length - 1]!.length + 1, reason };
  }
}

/**
 * `file:line:column: reason`, then the offending line and a caret under the column:
 *
 * ```
 * capture.config.yaml:3:5: missed comma between flow collection entries
 *   3 | plugins: [a
 *     |     ^
 * ```
 */
export function formatSyntaxError(location: SyntaxLocation, cwd: string, content: string | undefined, configFile: string): string {
  const shown = path.relative(cwd, location.file) || location.file;
  const head = `${shown}:${location.line}:${location.column}: ${location.reason}`;
  let text = path.resolve(location.file) === path.resolve(configFile) ? content : undefined;
  if (text === undefined) {
    try {
      text = readFileSync(location.file, 'utf8');
    } catch {
      return head;
    }
  }
  const sourceLine = text.split(/\r?\n/)[location.line - 1];
  if (sourceLine === undefined) return head;
  const number = String(location.line);
  const gutter = ' '.repeat(number.length);
  const shownLine = sourceLine.replace(/\t/g, ' ');
  const caret = ' '.repeat(Math.max(0, Math.min(location.column - 1, shownLine.length)));
  return `${head}\n  ${number} | ${shownLine}\n  ${gutter} | ${caret}^`;
}
