import { describe, expect, it } from 'vitest';
import { shellQuote, stepToShell, sudoLine } from './plan.js';

describe('printing plans', () => {
  it('quotes words for a POSIX shell only when needed', () => {
    expect(shellQuote('/usr/local/share/ca-certificates')).toBe('/usr/local/share/ca-certificates');
    expect(shellQuote('C,,')).toBe('C,,');
    expect(shellQuote('capture proxy CA 1a2b3c4d')).toBe("'capture proxy CA 1a2b3c4d'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('')).toBe("''");
  });

  it('prints each step as the shell command that does the same', () => {
    expect(stepToShell({ type: 'mkdir', path: '/a b' })).toBe("mkdir -p '/a b'");
    expect(stepToShell({ type: 'copy', from: '/x.crt', to: '/y.crt' })).toBe('cp /x.crt /y.crt');
    expect(stepToShell({ type: 'remove', path: '/y.crt' })).toBe('rm -f /y.crt');
    expect(stepToShell({ type: 'write', path: '/o/n.xml', contents: '<a/>' })).toBe("cat > /o/n.xml <<'EOF'\n<a/>\nEOF");
    expect(stepToShell({ type: 'run', command: 'certutil', args: ['-n', 'my CA', '-t', 'C,,'] })).toBe("certutil -n 'my CA' -t C,,");
  });

  it('gives one sudo line: the command alone, or every step joined under sh -c', () => {
    expect(sudoLine([{ type: 'run', command: 'security', args: ['add-trusted-cert', '/p/ca.crt'] }])).toBe('sudo security add-trusted-cert /p/ca.crt');
    expect(
      sudoLine([
        { type: 'mkdir', path: '/usr/local/share/ca-certificates' },
        { type: 'copy', from: "/home/o'neil/ca.crt", to: '/usr/local/share/ca-certificates/capture-proxy-ca.crt' },
        { type: 'run', command: 'update-ca-certificates', args: [] },
      ]),
    ).toBe(
      `sudo sh -c 'mkdir -p /usr/local/share/ca-certificates && cp '\\''/home/o'\\''\\'\\'''\\''neil/ca.crt'\\'' /usr/local/share/ca-certificates/capture-proxy-ca.crt && update-ca-certificates'`,
    );
  });
});
