import type { BodyView, ExchangeDetail, OpenApiOperationView } from '../src/protocol.js';
import { h, type Child } from './dom.js';
import { formatBytes, formatDuration, statusClass } from './format.js';
import { renderMessages } from './messages.js';

/** What the detail pane's buttons do. */
export interface DetailActions {
  copyCurl(id: string): void;
  /** The OpenAPI operation the exchange belongs to; absent when the OpenAPI plugin is not running. */
  operation?: (id: string) => Promise<OpenApiOperationView>;
}

/** Shown where OpenAPI needs its plugin. */
export const OPENAPI_MISSING = 'needs @capture/plugin-openapi in the config';

/** Renders one exchange: overview and flags, timings, headers, bodies. */
export function renderDetail(container: HTMLElement, detail: ExchangeDetail, actions: DetailActions, curlAvailable: boolean): void {
  const flags: Child[] = [];
  const flag = (text: string, title?: string) => h('span', { class: 'badge', title }, text);
  if (detail.flags.skipped) flags.push(flag(`not captured: ${detail.flags.skipped}`));
  if (detail.flags.media) flags.push(flag('media skipped', 'the response body was forwarded but not captured (image, audio or video)'));
  if (detail.flags.truncated) flags.push(flag('truncated', 'a body was larger than the capture limit; only its start was kept'));
  if (detail.flags.tls) flags.push(flag('TLS', 'HTTPS, decrypted by capture'));
  if (detail.flags.mocked) flags.push(flag('answered by a plugin'));
  if (detail.flags.open) flags.push(flag('open', 'the WebSocket connection is open; new messages appear as they arrive'));
  const response = detail.response;
  const parts: Child[] = [
    h(
      'header',
      { class: 'detail-head' },
      h(
        'h2',
        { id: 'detail-title' },
        h('span', { class: 'method' }, detail.method),
        ' ',
        h('span', { class: `status ${statusClass(detail.status)}` }, detail.status ?? 'no response'),
        ' ',
        response?.statusMessage ?? '',
        detail.grpcStatus ? h('span', { class: 'grpc-status' }, ` ${detail.grpcStatus}`) : null,
      ),
      h('p', { class: 'url' }, detail.url),
      h('p', { class: 'flags' }, ...flags),
      h('div', { class: 'actions' }, curlAvailable ? button('Copy as curl', () => actions.copyCurl(detail.id), 'copy-curl') : null),
    ),
    detail.error ? h('p', { class: 'error', role: 'alert' }, `${detail.error.code}: ${detail.error.message}`) : null,
    section(
      'Timings',
      table([
        ['started', new Date(detail.timings.startedAt).toISOString()],
        ['first byte', detail.timings.firstByte === undefined ? '–' : formatDuration(detail.timings.firstByte)],
        ['total', formatDuration(detail.timings.total)],
        ['client', `${detail.client.address}${detail.client.port ? `:${detail.client.port}` : ''}`],
        ['HTTP', httpVersions(detail)],
      ]),
    ),
    section(`Request headers (${detail.request.headers.length})`, table(detail.request.headers)),
    section(`Request body ${bodyTitle(detail.request.body)}`, renderBody(detail.request.body), 'request-body'),
    detail.request.trailers.length ? section(`Request trailers (${detail.request.trailers.length})`, table(detail.request.trailers), 'request-trailers') : null,
    response ? section(`Response headers (${response.headers.length})`, table(response.headers)) : null,
    response ? section(`Response body ${bodyTitle(response.body)}`, renderBody(response.body), 'response-body') : h('p', { class: 'muted' }, 'No response was saved.'),
    detail.websocket ? section(`Messages (${detail.websocket.messages.length + detail.websocket.omitted})`, renderMessages(detail.websocket), 'messages') : null,
    response?.trailers.length ? section(`Response trailers (${response.trailers.length})`, table(response.trailers), 'response-trailers') : null,
    detail.flags.skipped ? null : operationSection(detail.id, actions),
  ];
  container.replaceChildren(...parts.filter((part): part is Node => part instanceof Node));
}

/**
 * `HTTP/2` when both sides spoke the same version, else who spoke what (`HTTP/1.1 from the
 * client, HTTP/2 from the origin`): capture can speak h2 to one side and HTTP/1.1 to the other.
 */
function httpVersions(detail: ExchangeDetail): string {
  const client = `HTTP/${detail.httpVersion}`;
  if (!detail.response) return `${client} from the client`;
  const origin = `HTTP/${detail.response.httpVersion}`;
  return client === origin ? client : `${client} from the client, ${origin} from the origin`;
}

/** A closed "OpenAPI operation" section that infers the exchange's operation when opened. */
function operationSection(id: string, actions: DetailActions): HTMLElement {
  const body = h('div', { class: 'body operation' }, h('p', { class: 'muted' }, actions.operation ? 'Loading…' : `OpenAPI ${OPENAPI_MISSING}.`));
  const element = h('details', { class: 'section', id: 'openapi-operation' }, h('summary', {}, 'OpenAPI operation'), body);
  let loaded = false;
  element.addEventListener('toggle', () => {
    if (!(element as HTMLDetailsElement).open || loaded || !actions.operation) return;
    loaded = true;
    actions.operation(id).then(
      (view) => {
        const op = (view.operation ?? {}) as { parameters?: unknown; requestBody?: { content?: Record<string, { schema?: unknown }> }; responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }> };
        const parts: Child[] = [
          h('p', { class: 'operation-title' }, h('span', { class: 'method' }, view.method), ' ', h('code', {}, view.path), ' ', h('span', { class: 'muted' }, `(${view.server}; from ${view.samples} exchange${view.samples === 1 ? '' : 's'})`)),
        ];
        const schemaBlock = (title: string, value: unknown, kind: string) => h('div', { class: `schema ${kind}` }, h('h3', {}, title), h('pre', { class: 'code json' }, JSON.stringify(value, null, 2)));
        if (Array.isArray(op.parameters) && op.parameters.length) parts.push(schemaBlock('Parameters', op.parameters, 'parameters'));
        for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) parts.push(schemaBlock(`Request body (${type})`, media.schema ?? {}, 'request-schema'));
        for (const [code, answer] of Object.entries(op.responses ?? {})) {
          const content = Object.entries(answer.content ?? {});
          if (!content.length) parts.push(h('div', { class: 'schema response-schema' }, h('h3', {}, `Response ${code}`), h('p', { class: 'muted' }, answer.description ?? 'no body')));
          for (const [type, media] of content) parts.push(schemaBlock(`Response ${code} (${type})`, media.schema ?? {}, 'response-schema'));
        }
        body.replaceChildren(...parts.filter((part): part is Node => part instanceof Node));
      },
      (error: Error) => {
        loaded = false;
        body.replaceChildren(h('p', { class: 'error' }, error.message));
      },
    );
  });
  return element;
}

function button(label: string, onClick: () => void, id?: string): HTMLButtonElement {
  const element = h('button', { type: 'button', id });
  element.textContent = label;
  element.addEventListener('click', onClick);
  return element;
}

function section(title: string, content: Node, id?: string): HTMLElement {
  return h('details', { open: true, class: 'section', id }, h('summary', {}, title), content);
}

function table(rows: ReadonlyArray<readonly [string, string]>): HTMLElement {
  if (!rows.length) return h('p', { class: 'muted' }, 'none');
  return h('table', { class: 'pairs' }, h('tbody', {}, ...rows.map(([name, value]) => h('tr', {}, h('th', { scope: 'row' }, name), h('td', {}, value)))));
}

function bodyTitle(body: BodyView): string {
  if (body.kind === 'empty' && body.size === 0) return '';
  const parts = [formatBytes(body.size)];
  if (body.type) parts.push(body.type);
  if (body.kind !== 'empty' && body.kind !== 'skipped' && body.captured !== body.size) parts.push(`${formatBytes(body.captured)} captured`);
  return `(${parts.join(', ')})`;
}

/** A body as the server prepared it: pretty text, form fields, an image, or a summary. */
export function renderBody(body: BodyView): HTMLElement {
  const notes: Child[] = [];
  if (body.truncated) notes.push(h('p', { class: 'note' }, 'Truncated: only the start of this body was captured.'));
  if (body.textCut) notes.push(h('p', { class: 'note' }, 'Shortened for display; export it to see all of it.'));
  switch (body.kind) {
    case 'skipped':
      return h('p', { class: 'muted' }, body.skipped === 'media' ? 'Media: forwarded, not captured.' : `Not captured (${body.skipped}).`);
    case 'empty':
      return h('p', { class: 'muted' }, body.size > 0 ? 'Not captured.' : 'No body.');
    case 'image':
      return h('div', { class: 'body' }, h('img', { src: body.dataUrl, alt: `${body.type} image, ${formatBytes(body.captured)}` }));
    case 'form':
      return h('div', { class: 'body' }, ...notes, table(body.fields ?? []));
    case 'binary':
      return h('div', { class: 'body' }, ...notes, h('p', {}, `Binary, ${formatBytes(body.captured)}${body.type ? ` of ${body.type}` : ''}. First bytes:`), h('pre', { class: 'hex' }, body.hex ?? ''));
    default:
      return h('div', { class: 'body' }, ...notes, h('pre', { class: `code ${body.kind}` }, body.text ?? ''));
  }
}
