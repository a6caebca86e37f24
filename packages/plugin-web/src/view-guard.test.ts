import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { ViewGuard } from './view-guard.js';

describe('the view address guard', () => {
  it('knows every spelling of a loopback view on its port, and nothing on other ports', async () => {
    const guard = new ViewGuard(() => new Set());
    expect(await guard.isView('127.0.0.1', 5556)).toBe(false);
    guard.bind('127.0.0.1', 5556);
    for (const name of ['127.0.0.1', 'localhost', 'LocalHost.', 'app.localhost', '[::1]', '::ffff:127.0.0.1', '[::ffff:7f00:1]', '2130706433', '0x7f000001', '0177.0.0.1', '127.1', '0.0.0.0', os.hostname()]) {
      expect(await guard.isView(name, 5556), name).toBe(true);
    }
    expect(await guard.isView('127.0.0.1', 5555)).toBe(false);
    // Issue 22 item 6: a name that cannot be checked on the view's port fails closed.
    expect(await guard.isView('example.invalid', 5556)).toBe(true);
    expect(await guard.isView('example.invalid', 5555)).toBe(false);
    expect(await guard.isViewUrl('http://localhost:5556/api')).toBe(true);
    expect(await guard.isViewUrl('http://localhost/api')).toBe(false);
    expect(await guard.isViewUrl('not a url')).toBe(false);
  });

  it('rules out a URL on no view port without parsing it, and leaves every other one to the full check', async () => {
    const guard = new ViewGuard(() => new Set([7000]));
    guard.bind('127.0.0.1', 5556);
    expect(guard.mayBeViewUrl('http://example.com/a')).toBe(false);
    expect(guard.mayBeViewUrl('https://user@example.com:8443/a?b=1')).toBe(false);
    for (const url of ['http://localhost:5556/api', 'http://[::1]:5556/', 'http://a.test:7000/x', 'http://a.test:55x6/']) {
      expect(guard.mayBeViewUrl(url), url).toBe(true);
    }
    // The fast answer never contradicts the full one.
    for (const url of ['http://localhost:5556/api', 'http://localhost/api', 'https://localhost:5556/']) {
      if (!guard.mayBeViewUrl(url)) expect(await guard.isViewUrl(url), url).toBe(false);
    }
  });

  it('bound to every interface, also knows the machine addresses', async () => {
    const guard = new ViewGuard(() => new Set());
    guard.bind('0.0.0.0', 5556);
    const external = Object.values(os.networkInterfaces()).flat().find((entry) => entry && !entry.internal && entry.family === 'IPv4');
    if (external) expect(await guard.isView(external.address, 5556)).toBe(true);
    expect(await guard.isView('192.0.2.1', 5556)).toBe(false);
  });

  it('guards the ports of the views of other captures as its own', async () => {
    const guard = new ViewGuard(() => new Set([6000]));
    guard.bind('127.0.0.1', 5556);
    expect(await guard.isView('localhost', 6000)).toBe(true);
    expect(await guard.isView('127.0.0.1', 6001)).toBe(false);
    expect(await guard.isView('192.0.2.1', 6000)).toBe(false);
  });
});
