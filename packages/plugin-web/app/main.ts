import type { EventMap, ExchangeSummary, SettingsView } from '../src/protocol.js';
import * as api from './api.js';
import { OPENAPI_MISSING, renderDetail } from './detail.js';
import { appendMessages } from './messages.js';
import { $, h } from './dom.js';
import { BearerEventSource } from './event-stream.js';
import { token } from './token.js';
import { VirtualList } from './virtual-list.js';

// The capture web view: a live list (server-sent events), a detail pane, actions and settings.
// Plain DOM; all captured data goes in as text.

const search = $<HTMLInputElement>('#search');
const detailPane = $('#detail');
const status = $('#status');
const pauseButton = $<HTMLButtonElement>('#pause');
const liveDot = $('#live');
let settings: SettingsView | undefined;
let events: BearerEventSource | undefined;
let generation = 0;
let opened: string | undefined;
/** True while the detail shown is a WebSocket connection that is open (it is drawn again when it closes). */
let openedIsOpen = false;


/** True while the list's search has older rows than those listed (the server said `more`). */
let more = false;
/** The older page being read, so scrolling asks for it once. */
let loadingOlder: Promise<void> | undefined;

const list = new VirtualList($('#rows'), {
  open: (row) => void openDetail(row.id),
  nearEnd: () => void loadOlder(),
  selectionChanged: (count) => {
    $('#selection-count').textContent = count ? `${count} selected` : '';
    updateCount();
  },
});

function updateCount(): void {
  const query = search.value.trim();
  status.textContent = `${list.size} exchange${list.size === 1 ? '' : 's'}${query ? ` matching “${query}”` : ''}`;
}

let toastTimer: ReturnType<typeof setTimeout> | undefined;
function notify(message: string, isError = false): void {
  const toast = $('#toast');
  toast.textContent = message;
  toast.className = isError ? 'error' : '';
  toast.hidden = false;
  clearTimeout(toastTimer);
  // Errors stay until clicked away; other notes fade on their own.
  if (!isError) toastTimer = setTimeout(() => (toast.hidden = true), 5000);
}

/** Loads the list for the current search and follows new exchanges; older loads and streams are dropped. */
async function load(): Promise<void> {
  const mine = ++generation;
  more = false;
  const query = search.value.trim();
  // `data-query` says which search the list holds once it is loaded (tests wait on it).
  delete status.dataset.query;
  events?.close();
  const buffered: ExchangeSummary[] = [];
  let ready = false;
  // Rows the list came with, by key, not yet matched by an event: an exchange's event can reach
  // the page after the list that already holds it (read from history after it was written),
  // over another connection. Each such event is dropped once.
  const listed = new Map<string, number>();
  const unlisted = (row: ExchangeSummary) => {
    // The same id again is an update (an open WebSocket connection closed), not a duplicate.
    if (list.has(row.id)) return true;
    const seen = listed.get(keyOf(row));
    if (seen) listed.set(keyOf(row), seen - 1);
    return !seen;
  };
  const stream = new BearerEventSource(`/api/events?q=${encodeURIComponent(query)}`);
  events = stream;
  stream.addEventListener('open', () => liveDot.classList.add('on'));
  stream.addEventListener('error', () => liveDot.classList.remove('on'));
  stream.addEventListener('exchanges', (event) => {
    const rows = JSON.parse(event.data) as EventMap['exchanges'];
    if (!ready) buffered.push(...rows);
    else {
      list.add(rows.filter(unlisted));
      updateCount();
    }
    // The open connection shown closed (its row came again, no longer open): show how it ended.
    if (openedIsOpen && rows.some((row) => row.id === opened && !row.flags.open)) void openDetail(opened!, true);
  });
  stream.addEventListener('messages', (event) => {
    const batch = JSON.parse(event.data) as EventMap['messages'];
    if (batch.id !== opened) return;
    const section = document.getElementById('messages');
    if (!section || !appendMessages(section, batch)) void openDetail(batch.id, true);
  });
  stream.addEventListener('paused', (event) => showPaused((JSON.parse(event.data) as EventMap['paused']).paused));
  stream.addEventListener('cleared', () => {
    list.reset([]);
    detailPane.replaceChildren(h('p', { class: 'muted' }, 'History was cleared.'));
    updateCount();
  });
  stream.addEventListener('reset', () => {
    void load();
    if (opened) void openDetail(opened, true);
  });
  // The list is read only once the server follows this stream: an exchange completed before
  // that is in the list, one after it comes as an event. Reading both at once lost the exchanges
  // that completed between the list's read and the stream's start (a row that never came).
  await new Promise<void>((resolve) => {
    stream.addEventListener('open', () => resolve());
    stream.addEventListener('error', () => resolve());
  });
  if (mine !== generation) return;
  try {
    const page = await api.listExchanges(query);
    if (mine !== generation) return;
    const { exchanges } = page;
    more = page.more;
    list.reset(exchanges);
    // Rows that arrived while the list loaded, minus those the list already has from history.
    for (const row of exchanges) listed.set(keyOf(row), (listed.get(keyOf(row)) ?? 0) + 1);
    list.add(buffered.filter(unlisted));
    ready = true;
    updateCount();
    status.dataset.query = query;
  } catch (error) {
    notify(`Could not load the list: ${(error as Error).message}`, true);
  }
}

/** Reads the next, older page of the list when there is one and none is being read. */
function loadOlder(): Promise<void> | undefined {
  const oldest = list.oldest();
  if (!more || loadingOlder || !oldest || status.dataset.query === undefined) return loadingOlder;
  const mine = generation;
  const query = search.value.trim();
  loadingOlder = api
    .listExchanges(query, `${oldest.startedAt}:${oldest.id}`)
    .then((page) => {
      if (mine !== generation) return;
      more = page.more && page.exchanges.length > 0;
      list.older(page.exchanges);
      updateCount();
    })
    .catch((error: unknown) => notify(`Could not load older exchanges: ${(error as Error).message}`, true))
    .finally(() => (loadingOlder = undefined));
  return loadingOlder;
}

const keyOf = (row: ExchangeSummary) => `${row.startedAt}|${row.method}|${row.url}`;

/** Shows an exchange; `refresh`: the same one again (new state), keeping the reader's place. */
async function openDetail(id: string, refresh = false): Promise<void> {
  opened = id;
  const scroll = detailPane.scrollTop;
  try {
    const detail = await api.getExchange(id);
    if (opened !== id) return;
    openedIsOpen = Boolean(detail.flags.open);
    if (refresh) requestAnimationFrame(() => (detailPane.scrollTop = scroll));
    const query = search.value.trim();
    renderDetail(
      detailPane,
      detail,
      { copyCurl: (which) => void copyCurl(which), ...(settings?.can.exportOpenApi ? { operation: (which: string) => api.getOperation(which, query) } : {}) },
      Boolean(settings?.can.curl),
    );
  } catch (error) {
    if (opened === id) detailPane.replaceChildren(h('p', { class: 'error' }, (error as Error).message));
  }
}

async function copyCurl(id: string): Promise<void> {
  try {
    const command = (await api.getCurl(id)).trim();
    const output = $<HTMLTextAreaElement>('#curl-text');
    output.value = command;
    let copied = false;
    try {
      await navigator.clipboard.writeText(command);
      copied = true;
    } catch {
      // No clipboard permission: the dialog shows the command selected, ready for Ctrl+C.
    }
    $('#curl-status').textContent = copied ? 'Copied to the clipboard.' : 'Press Ctrl+C (⌘C) to copy.';
    $<HTMLDialogElement>('#curl-dialog').showModal();
    output.select();
  } catch (error) {
    notify((error as Error).message, true);
  }
}

function showPaused(paused: boolean): void {
  if (settings) settings.paused = paused;
  pauseButton.textContent = paused ? 'Resume capture' : 'Pause capture';
  pauseButton.setAttribute('aria-pressed', String(paused));
  document.body.classList.toggle('paused', paused);
  $('#paused-banner').hidden = !paused;
}

function renderSettings(view: SettingsView): void {
  const rows: Array<[string, string]> = [
    ['Proxy', view.proxy.url ?? `${view.proxy.host}:${view.proxy.port ?? '?'}`],
    ['Mode', view.proxy.mode],
    ['Save to', view.saveTo.join(' and ') || 'nothing (no storage plugin)'],
    ['Save responses', Object.entries(view.saveResponses).map(([where, on]) => `${where}: ${on ? 'yes' : 'no'}`).join(', ') || '–'],
  ];
  if (view.filters) {
    rows.push(['Exclude assets', view.filters.excludeAssets ? 'yes' : 'no']);
    rows.push(['Include URLs', view.filters.include.join(', ') || 'all']);
    rows.push(['Exclude URLs', view.filters.exclude.join(', ') || 'none']);
    rows.push(['Methods', view.filters.methods.join(', ') || 'all']);
  } else rows.push(['Filters', 'none (the filters plugin is not running)']);
  if (view.collection) rows.push(['Collection', `${view.collection.name} (group by ${view.collection.groupBy.join(', ') || 'none'})`]);
  if (view.history) rows.push(['History', `${view.history.file ?? '?'} (keeps ${view.history.maxEntries})`]);
  rows.push(['Capturing', view.paused ? 'paused' : 'on']);
  rows.push(['Plugins', view.plugins.join(', ')]);
  $('#settings-body').replaceChildren(h('table', { class: 'pairs' }, h('tbody', {}, ...rows.map(([name, value]) => h('tr', {}, h('th', { scope: 'row' }, name), h('td', {}, value))))));
}

function targetIds(scope: 'selection' | 'list'): string[] {
  return scope === 'selection' ? list.selection() : list.ids();
}

const FORMAT_NAMES: Record<api.ExportFormat, string> = { har: 'HAR', postman: 'a Postman collection', openapi: 'an OpenAPI document' };

async function exportAs(format: api.ExportFormat, scope: 'selection' | 'list'): Promise<void> {
  ($('#export-menu') as HTMLDetailsElement).open = false;
  const ids = targetIds(scope);
  if (!ids.length) return notify(scope === 'selection' ? 'Select exchanges first (click, Ctrl+click, Shift+click).' : 'The list is empty.', true);
  try {
    const { count, skipped } = await api.downloadExport(format, ids);
    const left = skipped ? ` Skipped ${skipped} that cannot be represented (such as an empty URL).` : '';
    notify(`Exported ${count} exchange${count === 1 ? '' : 's'} as ${FORMAT_NAMES[format]}.${left}`);
  } catch (error) {
    notify((error as Error).message, true);
  }
}

// Wiring.
let typing: ReturnType<typeof setTimeout> | undefined;
search.addEventListener('input', () => {
  clearTimeout(typing);
  typing = setTimeout(() => void load(), 200);
});
search.addEventListener('keydown', (event) => {
  if (event.key === 'Enter') {
    clearTimeout(typing);
    void load();
  }
  if (event.key === 'ArrowDown') $('#rows').focus();
});
pauseButton.addEventListener('click', () => {
  void api.setPaused(!(settings?.paused ?? false)).then(({ paused }) => showPaused(paused), (error: Error) => notify(error.message, true));
});
$('#settings-button').addEventListener('click', async () => {
  try {
    settings = await api.getSettings();
    renderSettings(settings);
    $<HTMLDialogElement>('#settings-dialog').showModal();
  } catch (error) {
    notify((error as Error).message, true);
  }
});
for (const element of document.querySelectorAll<HTMLButtonElement>('[data-export]')) {
  const [format, scope] = element.dataset.export!.split(':') as [api.ExportFormat, 'selection' | 'list'];
  element.addEventListener('click', () => void exportAs(format, scope));
}
$('#save-button').addEventListener('click', () => {
  if (!list.selection().length) return notify('Select exchanges first (click, Ctrl+click, Shift+click).', true);
  $<HTMLInputElement>('#collection-name').value ||= settings?.collection?.name ?? '';
  $<HTMLDialogElement>('#save-dialog').showModal();
});
$('#save-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const name = $<HTMLInputElement>('#collection-name').value.trim();
  if (!name) return;
  try {
    const { added, file } = await api.saveToCollection(name, list.selection());
    $<HTMLDialogElement>('#save-dialog').close();
    notify(`Saved ${added} request${added === 1 ? '' : 's'} to “${name}” (${file}).`);
  } catch (error) {
    notify((error as Error).message, true);
  }
});
$('#clear-button').addEventListener('click', () => $<HTMLDialogElement>('#clear-dialog').showModal());
$('#clear-confirm').addEventListener('click', async () => {
  $<HTMLDialogElement>('#clear-dialog').close();
  try {
    const { deleted } = await api.clearHistory();
    notify(`Deleted ${deleted} exchange${deleted === 1 ? '' : 's'} from history.`);
  } catch (error) {
    notify((error as Error).message, true);
  }
});
for (const element of document.querySelectorAll<HTMLButtonElement>('[data-close]')) {
  element.addEventListener('click', () => element.closest('dialog')?.close());
}
$('#toast').addEventListener('click', (event) => ((event.currentTarget as HTMLElement).hidden = true));
document.addEventListener('keydown', (event) => {
  if (event.key === '/' && document.activeElement !== search && !(document.activeElement instanceof HTMLInputElement)) {
    event.preventDefault();
    search.focus();
  }
});

void (async () => {
  // token.ts took the token out of the address bar; without one the page can do nothing.
  if (!token) return notify('Open the address "capture start" printed (with its ?token=…): this page has no access token.', true);
  try {
    settings = await api.getSettings();
    showPaused(settings.paused);
    $<HTMLButtonElement>('#save-button').hidden = !settings.can.saveToCollection;
    for (const element of document.querySelectorAll<HTMLButtonElement>('[data-export^="har:"]')) element.disabled = !settings.can.exportHar;
    for (const element of document.querySelectorAll<HTMLButtonElement>('[data-export^="openapi:"]')) {
      element.disabled = !settings.can.exportOpenApi;
      element.title = settings.can.exportOpenApi ? 'An OpenAPI document (YAML) inferred from these exchanges' : OPENAPI_MISSING;
    }
  } catch (error) {
    notify((error as Error).message, true);
  }
  await load();
})();
