import { afterEach, describe, expect, it } from 'vitest';
import { startView, viewRequest, type ViewSetup } from './helpers/view.js';

let setup: ViewSetup | undefined;
afterEach(async () => {
  await setup?.close();
  setup = undefined;
});

describe('access to the web view', () => {
  it('refuses every API request without the token (401) and serves the API with it as a bearer header (200)', async () => {
    setup = await startView();
    const { base, token } = setup;
    // Issue 22 item 7: the page and its script hold no data and load without the token (the page
    // takes it from the printed address); everything with data needs it.
    for (const path of ['/', '/app.js']) expect((await viewRequest(base, path)).status, path).toBe(200);
    for (const path of ['/api/exchanges', '/api/settings', '/api/events', '/api/exchanges/h1']) {
      const refused = await viewRequest(base, path);
      expect(refused.status, path).toBe(401);
      expect(refused.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(refused.text).not.toContain('<html');
    }
    expect((await viewRequest(base, '/?token=wrong-token-of-some-length')).status).toBe(401);
    expect((await viewRequest(base, `/?token=${token.slice(0, -1)}`)).status).toBe(401);
    expect((await viewRequest(base, '/api/clear', { body: { confirm: true } })).status).toBe(401);

    const page = await viewRequest(base, `/?token=${token}`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('<script src="/app.js"></script>');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    // Issue 22 item 7: no cookie is ever set (cookies go to every port of 127.0.0.1), and none opens the API.
    expect(page.headers['set-cookie']).toBeUndefined();
    const withCookie = await viewRequest(base, '/api/exchanges', { headers: { Cookie: `capture-web-${setup.port}=${token}` } });
    expect(withCookie.status).toBe(401);
    expect((await viewRequest(base, `/api/exchanges?token=${token}`)).status).toBe(401);
    const withBearer = await viewRequest(base, '/api/exchanges', { headers: { Authorization: `Bearer ${token}` } });
    expect(withBearer.status).toBe(200);
    expect(withBearer.json()).toEqual({ exchanges: [], more: false });
    expect((await viewRequest(base, '/api/exchanges', { headers: { Authorization: 'Bearer nope-nope-nope-nope' } })).status).toBe(401);
  });

  it('refuses a Host that is not this machine (DNS rebinding) and cross-site POSTs, even with the token', async () => {
    setup = await startView();
    const { base, token } = setup;
    const rebinding = await viewRequest(base, `/?token=${token}`, { headers: { Host: `attacker.example:${setup.port}` } });
    expect(rebinding.status).toBe(403);
    expect(rebinding.text).toContain('unexpected Host header');
    expect((await viewRequest(base, `/?token=${token}`, { headers: { Host: `localhost:${setup.port}` } })).status).toBe(200);

    const auth = { Authorization: `Bearer ${token}` };
    const crossSite = await viewRequest(base, '/api/capture', { body: { paused: true }, headers: { ...auth, Origin: 'http://attacker.example' } });
    expect(crossSite.status).toBe(403);
    const notJson = await viewRequest(base, '/api/capture', { body: 'paused=true', headers: { ...auth, 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(notJson.status).toBe(400);
    expect(setup.web.api!.paused).toBe(false);
    const sameSite = await viewRequest(base, '/api/capture', { body: { paused: true }, headers: { ...auth, Origin: base } });
    expect(sameSite.status).toBe(200);
    expect(setup.web.api!.paused).toBe(true);
  });

  it('accepts a fixed token from the options and rejects bad options with the option named', async () => {
    setup = await startView({ web: { token: 'my-own-token-0123456789' } });
    expect(setup.token).toBe('my-own-token-0123456789');
    expect((await viewRequest(setup.base, '/?token=my-own-token-0123456789')).status).toBe(200);
    const { default: web } = await import('../src/index.js');
    expect(() => web({ webPort: 70000 })).toThrow('web: option "webPort": expected a port number from 0 to 65535, got 70000');
    expect(() => web({ token: 'short' })).toThrow(/web: option "token": expected at least 16 characters/);
    expect(() => web({ webPrt: 1 } as never)).toThrow('web: unknown option "webPrt"');
  });
});
