import type { EventMap, MessagesView, MessageView } from '../src/protocol.js';
import { h } from './dom.js';
import { formatBytes } from './format.js';

/** Opcode names in the Messages pane. */
const OPCODES: Record<number, string> = { 1: 'text', 2: 'binary', 8: 'close', 9: 'ping', 10: 'pong' };

/** The search typed in the Messages pane, kept when the pane is drawn again (the connection closed, the page reloaded it). */
let query = '';

/** One message: an arrow for the direction, time, kind, size and payload (JSON pretty-printed, binary as hex). */
function messageRow(message: MessageView): HTMLElement {
  const payload =
    message.json !== undefined ? h('pre', { class: 'code json' }, message.json) : message.text !== undefined ? h('pre', { class: 'code text' }, message.text) : h('pre', { class: 'hex' }, message.hex ?? '');
  return h(
    'li',
    { class: `message ${message.fromClient ? 'sent' : 'received'}` },
    h('span', { class: 'direction', title: message.fromClient ? 'from the client' : 'from the server' }, message.fromClient ? '→' : '←'),
    ' ',
    h('span', { class: 'muted' }, `${new Date(message.time).toISOString().slice(11, 23)} ${OPCODES[message.opcode] ?? `opcode ${message.opcode}`} ${formatBytes(message.size)}${message.truncated ? ' (truncated)' : ''}`),
    payload,
  );
}

/** Shows only the rows whose payload contains the search (any case), and says how many match. */
function applySearch(pane: HTMLElement): void {
  const needle = query.toLowerCase();
  const rows = [...pane.querySelectorAll<HTMLElement>('.message-list .message')];
  let shown = 0;
  for (const row of rows) {
    const match = !needle || (row.querySelector('pre')?.textContent ?? '').toLowerCase().includes(needle);
    row.hidden = !match;
    if (match) shown++;
  }
  const count = pane.querySelector('.message-matches');
  if (count) count.textContent = needle ? `${shown} of ${rows.length} match` : '';
}

/**
 * A WebSocket connection's Messages pane: a search box over the payloads, the messages, and how
 * the connection closed. While it is open, {@link appendMessages} adds what arrives.
 */
export function renderMessages(view: MessagesView): HTMLElement {
  const search = h('input', { type: 'search', class: 'message-search', placeholder: 'Search messages', 'aria-label': 'Search messages' });
  search.value = query;
  const list = h('ol', { class: 'message-list', 'data-count': String(view.messages.length) }, ...view.messages.map(messageRow));
  const notes: Node[] = [];
  if (view.open) notes.push(h('p', { class: 'muted open-note' }, 'Open: new messages appear as they arrive.'));
  if (view.omitted) notes.push(h('p', { class: 'note' }, `${view.omitted} more message${view.omitted === 1 ? '' : 's'} not shown (export as HAR to see the kept ones).`));
  if (view.closeCode !== undefined || view.closedBy) notes.push(h('p', { class: 'muted closed' }, `Closed${view.closedBy ? ` by the ${view.closedBy}` : ''}${view.closeCode !== undefined ? `: ${view.closeCode}` : ''}${view.closeReason ? ` ${view.closeReason}` : ''}`));
  const pane = h('div', { class: 'body messages' }, h('div', { class: 'message-tools' }, search, ' ', h('span', { class: 'muted message-matches' })), list, ...notes);
  search.addEventListener('input', () => {
    query = search.value;
    applySearch(pane);
  });
  applySearch(pane);
  return pane;
}

/**
 * Adds a `messages` event's messages to the open pane. Returns false when the pane cannot follow
 * (messages were skipped, or the server said to reload): the page then fetches the detail again.
 */
export function appendMessages(section: HTMLElement, event: EventMap['messages']): boolean {
  const list = section.querySelector<HTMLElement>('.message-list');
  if (!list || event.reload) return false;
  const count = Number(list.dataset.count);
  // Past the pane's cap only the count comes: nothing to fetch.
  if (event.from > count && event.messages.length) return false;
  // The detail may already hold some of them (it was read after they were kept).
  const fresh = event.messages.slice(count - event.from);
  if (fresh.length) {
    list.append(...fresh.map(messageRow));
    list.dataset.count = String(count + fresh.length);
    applySearch(section);
  }
  const summary = section.querySelector('summary');
  if (summary) summary.textContent = `Messages (${Math.max(event.total, count + fresh.length)})`;
  return true;
}
