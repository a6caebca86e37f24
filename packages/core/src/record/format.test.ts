import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, hostOf } from './format.js';

describe('the exchange record formats', () => {
  it('formats sizes in decimal units, one decimal below 100', () => {
    expect(formatBytes(12345)).toBe('12.3 kB');
    expect([formatBytes(512), formatBytes(148_000), formatBytes(4_200_000)]).toEqual(['512 B', '148 kB', '4.2 MB']);
  });
  it('formats durations', () => {
    expect([formatDuration(14.2), formatDuration(1250), formatDuration(12_500)]).toEqual(['14 ms', '1.25 s', '12.5 s']);
  });
  it('gives host[:port] without the default port, IPv6 in brackets', () => {
    expect(hostOf('http://example.com:80/')).toBe('example.com');
    expect(hostOf('https://[::1]:8443/x')).toBe('[::1]:8443');
    expect(hostOf('https://Example.com:8443/')).toBe('example.com:8443');
    expect(hostOf('example.com:443')).toBe('');
  });
});
