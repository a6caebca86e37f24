import { describe, expect, it } from 'vitest';
import { isLocalNetworkAddress, normalizeAddress } from './access-control.js';

describe('isLocalNetworkAddress', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.9', '192.168.1.20', '169.254.3.4', '100.64.1.1', '::1', 'fd12:3456::1', 'fe80::1', '::ffff:192.168.0.5'])(
    'serves %s',
    (address) => expect(isLocalNetworkAddress(address)).toBe(true),
  );
  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8', 'not-an-ip', ''])('refuses %s', (address) =>
    expect(isLocalNetworkAddress(address)).toBe(false),
  );
  it('unwraps IPv4-mapped addresses', () => {
    expect(normalizeAddress('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(normalizeAddress('::1')).toBe('::1');
  });
});
