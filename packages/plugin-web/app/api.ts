import type { ExchangeDetail, ListResponse, OpenApiOperationView, SettingsView } from '../src/protocol.js';
import { authHeaders } from './token.js';

/** An API call that failed, with the server's message. */
export class ApiError extends Error {}

async function check(response: Response): Promise<Response> {
  if (response.ok) return response;
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = (await response.json()) as { error?: string };
    if (body.error) message = body.error;
  } catch {
    // Not JSON: the status line says enough.
  }
  throw new ApiError(message);
}

async function getJson<T>(path: string): Promise<T> {
  return (await (await check(await fetch(path, { headers: authHeaders() }))).json()) as T;
}

async function post(path: string, body: unknown): Promise<Response> {
  return check(await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json', ...authHeaders() }, body: JSON.stringify(body) }));
}

/** The newest exchanges matching a search; with `before` (`<startedAt>:<id>` of the oldest listed row), the next, older page. */
export const listExchanges = (query: string, before?: string) =>
  getJson<ListResponse>(`/api/exchanges?q=${encodeURIComponent(query)}${before ? `&before=${encodeURIComponent(before)}` : ''}`);
/** One exchange in full. */
export const getExchange = (id: string) => getJson<ExchangeDetail>(`/api/exchanges/${encodeURIComponent(id)}`);
/** The OpenAPI operation an exchange belongs to, inferred with the list for `query`. */
export const getOperation = (id: string, query: string) => getJson<OpenApiOperationView>(`/api/exchanges/${encodeURIComponent(id)}/openapi?q=${encodeURIComponent(query)}`);
/** The running settings. */
export const getSettings = () => getJson<SettingsView>('/api/settings');
/** An exchange as a curl command. */
export const getCurl = async (id: string) => (await check(await fetch(`/api/exchanges/${encodeURIComponent(id)}/curl`, { headers: authHeaders() }))).text();
/** Pauses or resumes capturing. */
export const setPaused = async (paused: boolean) => (await (await post('/api/capture', { paused })).json()) as { paused: boolean };
/** Clears history. */
export const clearHistory = async () => (await (await post('/api/clear', { confirm: true })).json()) as { deleted: number };
/** Saves exchanges into a named collection. */
export const saveToCollection = async (name: string, ids: string[]) => (await (await post('/api/collections', { name, ids })).json()) as { file: string; added: number };

/** The formats `downloadExport` offers. */
export type ExportFormat = 'har' | 'postman' | 'openapi';

/** Downloads an export: the browser saves the file the server names. */
export async function downloadExport(format: ExportFormat, ids: string[], name?: string): Promise<{ count: number; skipped: number }> {
  const response = await post('/api/export', { format, ids, ...(name ? { name } : {}) });
  const fallback = format === 'har' ? 'har' : format === 'openapi' ? 'yaml' : 'json';
  const filename = /filename="([^"]+)"/.exec(response.headers.get('Content-Disposition') ?? '')?.[1] ?? `capture.${fallback}`;
  const blob = await response.blob();
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  return { count: Number(response.headers.get('X-Exchange-Count') ?? ids.length), skipped: Number(response.headers.get('X-Exchange-Skipped') ?? 0) };
}
