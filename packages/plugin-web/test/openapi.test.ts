import { afterEach, describe, expect, it, vi } from 'vitest';
import { requestThroughProxy, type TestOrigin } from '@capture/core/testing';
import filters from '@capture/plugin-filters';
import history from '@capture/plugin-history';
import openapi from '@capture/plugin-openapi';
import type { ListResponse, OpenApiOperationView, SettingsView } from '../src/index.js';
import { api, startTestOrigin, startView, type ViewSetup } from './helpers/view.js';

// "Export → OpenAPI" and the per-operation view: the OpenAPI plugin's API, reached through the
// proxy (the view never imports it at run time).

let setup: ViewSetup | undefined;
let origin: TestOrigin | undefined;
afterEach(async () => {
  await setup?.close();
  await origin?.close();
  setup = undefined;
  origin = undefined;
});

const ids = async (query = '') => (await api(setup!, `/api/exchanges?q=${encodeURIComponent(query)}`)).json<ListResponse>().exchanges.map((row) => row.id);
const openapiApi = () => setup!.proxy.proxy.plugin('openapi')!.api!;

async function sendUsers(): Promise<void> {
  for (const url of ['/users/1', '/users/2', '/json?page=1', '/analytics/ping']) await requestThroughProxy(setup!.proxy.port, `${origin!.url}${url}`);
}

describe('OpenAPI in the view', () => {
  it('exports the filtered list as an OpenAPI YAML (or JSON) download with templated paths', async () => {
    setup = await startView({ plugins: [filters({ exclude: ['/analytics/'] }), history({ flushInterval: 10 }), openapi()] });
    origin = await startTestOrigin();
    await sendUsers();
    await vi.waitFor(() => expect(setup!.proxy.proxy.plugin('history')!.api!.list()).toHaveLength(3), { timeout: 10_000 });
    const settings = (await api(setup, '/api/settings')).json<SettingsView>();
    expect(settings.can.exportOpenApi).toBe(true);

    const all = await ids();
    // The filtered exchange (only the view saw it) is listed, but is not the API's traffic.
    expect(all).toHaveLength(4);
    const response = await api(setup, '/api/export', { body: { format: 'openapi', ids: all } });
    expect(response.status, response.text).toBe(200);
    expect(response.headers['content-type']).toBe('application/yaml; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="openapi-[\dTZ-]+\.yaml"$/);
    expect(response.headers['x-exchange-count']).toBe('3');
    expect(response.headers['x-exchange-skipped']).toBe('1');
    expect(response.text).toMatch(/^openapi: 3\.1\.0$/m);
    const document = openapiApi().parse(response.text);
    expect(Object.keys(document.paths ?? {}).sort()).toEqual(['/json', '/users/{userId}']);
    expect(document.servers).toEqual([{ url: origin.url }]);
    const users = document.paths!['/users/{userId}']!;
    const getUser = users.get!;
    expect([...(users.parameters ?? []), ...(getUser.parameters ?? [])]).toContainEqual(expect.objectContaining({ name: 'userId', in: 'path', required: true }));
    expect(getUser.responses['200']!.content!['application/json']!.schema).toMatchObject({ type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' }, active: { type: 'boolean' } } });

    const json = await api(setup, '/api/export', { body: { format: 'openapi', as: 'json', ids: all } });
    expect(json.status).toBe(200);
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json.headers['content-disposition']).toMatch(/filename="openapi-.*\.json"$/);
    expect(Object.keys(json.json<{ paths: object }>().paths)).toContain('/users/{userId}');

    const bad = await api(setup, '/api/export', { body: { format: 'openapi', as: 'xml', ids: all } });
    expect(bad.status).toBe(400);
    expect(bad.json()).toEqual({ error: '"as" must be "yaml" or "json", got "xml"' });
  });

  it("shows the operation an exchange belongs to, with its templated path and schemas", async () => {
    setup = await startView({ plugins: [history({ flushInterval: 10 }), openapi()] });
    origin = await startTestOrigin();
    await sendUsers();
    const [live] = await ids('/users/2');
    // Even before history writes it (a live x id), the operation is inferred with its neighbours.
    const view = (await api(setup, `/api/exchanges/${live}/openapi`)).json<OpenApiOperationView>();
    expect(view).toMatchObject({ method: 'GET', path: '/users/{userId}', server: origin.url });
    expect(view.samples).toBeGreaterThanOrEqual(2);
    const operation = view.operation as { responses: Record<string, { content: Record<string, { schema: unknown }> }> };
    expect(operation.responses['200']!.content['application/json']!.schema).toMatchObject({ type: 'object', properties: { id: { type: 'integer' } } });
    // A search narrows the exchanges it is inferred from (a numeric segment is an id even alone).
    const alone = (await api(setup, `/api/exchanges/${live}/openapi?q=${encodeURIComponent('/users/2')}`)).json<OpenApiOperationView>();
    expect(alone).toMatchObject({ path: '/users/{userId}', samples: 1 });
    const missing = await api(setup, '/api/exchanges/h999/openapi');
    expect(missing.status).toBe(404);
    expect(missing.json<{ error: string }>().error).toMatch(/exchange h999 is no longer available/);
  });

  it('says clearly that OpenAPI needs the plugin when it is not running', async () => {
    setup = await startView({ plugins: [history({ flushInterval: 10 })] });
    origin = await startTestOrigin();
    await sendUsers();
    expect((await api(setup, '/api/settings')).json<SettingsView>().can.exportOpenApi).toBe(false);
    const all = await ids();
    const exported = await api(setup, '/api/export', { body: { format: 'openapi', ids: all } });
    expect(exported.status).toBe(404);
    expect(exported.json<{ error: string }>().error).toMatch(/needs @capture\/plugin-openapi in the config/);
    const operation = await api(setup, `/api/exchanges/${all[0]}/openapi`);
    expect(operation.status).toBe(404);
    expect(operation.json<{ error: string }>().error).toMatch(/needs @capture\/plugin-openapi in the config/);
    const unknown = await api(setup, '/api/export', { body: { format: 'swagger', ids: all } });
    expect(unknown.status).toBe(400);
    expect(unknown.json<{ error: string }>().error).toBe('"format" must be "har", "postman" or "openapi", got "swagger"');
  });
});
