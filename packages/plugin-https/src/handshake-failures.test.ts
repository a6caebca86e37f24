import type { CaptureError } from '@capture/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HandshakeFailures, type HttpsStats } from './handshake-failures.js';

const client = { address: '192.168.1.20', port: 50_000 } as const;
const unknownCa = { error: Object.assign(new Error('alert'), { code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA' }) };

let stats: HttpsStats;
let lines: CaptureError[];
let failures: HandshakeFailures;

beforeEach(() => {
  vi.useFakeTimers();
  stats = { intercepted: 0, http2: 0, passedThrough: 0, rejected: 0, failed: 0 };
  lines = [];
  failures = new HandshakeFailures(stats, (error) => void lines.push(error), { windowMs: 60_000, linesPerWindow: 3, namesRemembered: 50 });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('handshake failure lines', () => {
  it('tells a name once a minute; retries within the minute are only counted', () => {
    for (let i = 0; i < 5; i++) failures.record('app.test', client, unknownCa);
    expect(lines.map((line) => line.code)).toEqual(['TLS_CLIENT_REJECTED']);
    expect(lines[0]!.message).toContain("rejected capture's certificate for app.test (unknown CA)");
    expect(stats.rejected).toBe(5);
    vi.advanceTimersByTime(60_000);
    failures.record('app.test', client, unknownCa);
    expect(lines).toHaveLength(2);
    // Retries of a told name are not news: no summary follows.
    vi.advanceTimersByTime(120_000);
    expect(lines).toHaveLength(2);
  });

  it('prints at most linesPerWindow names a minute, then one "N more" line for the rest', () => {
    for (let i = 0; i < 1_000; i++) failures.record(`flood-${i}.test`, client, { closed: true });
    expect(lines).toHaveLength(3);
    expect(stats.rejected).toBe(1_000);
    vi.advanceTimersByTime(59_999);
    expect(lines).toHaveLength(3);
    vi.advanceTimersByTime(1);
    expect(lines).toHaveLength(4);
    expect(lines[3]!.code).toBe('TLS_HANDSHAKES_HELD_BACK');
    // The distinct names are counted up to the memory bound, never more.
    expect(lines[3]!.message).toContain('997 more failed TLS handshakes (at least 50 names) in the last minute');
    // Nothing more to say: no further summary.
    vi.advanceTimersByTime(600_000);
    expect(lines).toHaveLength(4);
  });

  it('remembers a bounded number of names', () => {
    // 50 names remembered: the 51st pushes the first out, which is then told again.
    const roomy = new HandshakeFailures(stats, (error) => void lines.push(error), { linesPerWindow: 1_000, namesRemembered: 50 });
    for (let i = 0; i <= 50; i++) roomy.record(`n${i}.test`, client, { timedOut: 10_000 });
    expect(lines).toHaveLength(51);
    roomy.record('n0.test', client, { timedOut: 10_000 });
    expect(lines).toHaveLength(52);
    expect(lines[51]!.message).toBe('TLS handshake with client 192.168.1.20 for n0.test failed: no handshake within 10 s');
    roomy.record('n50.test', client, { timedOut: 10_000 });
    expect(lines).toHaveLength(52);
  });

  it('flush tells what was held back at once (the plugin calls it on close)', () => {
    for (let i = 0; i < 4; i++) failures.record(`c${i}.test`, client, { closed: true });
    failures.flush();
    expect(lines.map((line) => line.message).at(-1)).toContain('1 more failed TLS handshake (1 name) in the last minute');
    vi.advanceTimersByTime(60_000);
    expect(lines).toHaveLength(4);
  });
});
