import type { ExchangeSummary } from '../src/protocol.js';
import { h } from './dom.js';
import { formatBytes, formatDuration, statusClass } from './format.js';

/** Height of a row in pixels (the stylesheet's `--row`). */
const ROW = 24;
/** Rows rendered above and below the visible ones, so fast scrolling shows no gaps. */
const OVERSCAN = 8;
/** Most rows the page keeps; the oldest go first (history keeps them all). */
const MAX_ROWS = 100_000;

/** What the list tells the page. */
export interface ListEvents {
  /** The active row changed and should be shown (click, Enter). */
  open(row: ExchangeSummary): void;
  /** The selection changed. */
  selectionChanged(count: number): void;
  /** The oldest rows are in view (or nearly): time to load the next page, when there is one. */
  nearEnd?(): void;
}

/** `nearEnd` fires when the last rendered row is this close to the oldest. */
const NEAR_END = 100;

/**
 * The exchange list: newest on top, only the visible rows in the DOM (a few dozen elements
 * whatever the count), so thousands of new rows a second cost one render per animation frame.
 * Rows are kept oldest first, so a new one is an append, and shown in reverse.
 */
export class VirtualList {
  readonly #viewport: HTMLElement;
  readonly #spacer: HTMLElement;
  readonly #layer: HTMLElement;
  readonly #events: ListEvents;
  #rows: ExchangeSummary[] = [];
  readonly #ids = new Set<string>();
  readonly #selected = new Set<string>();
  #active: string | undefined;
  #anchor: number | undefined;
  #frame = 0;
  readonly #pool: HTMLElement[] = [];

  constructor(viewport: HTMLElement, events: ListEvents) {
    this.#viewport = viewport;
    this.#events = events;
    this.#spacer = h('div', { class: 'spacer' });
    this.#layer = h('div', { class: 'layer', role: 'rowgroup' });
    this.#spacer.append(this.#layer);
    viewport.append(this.#spacer);
    viewport.addEventListener('scroll', () => this.#schedule());
    new ResizeObserver(() => this.#schedule()).observe(viewport);
    viewport.addEventListener('keydown', (event) => this.#onKey(event));
    viewport.addEventListener('click', (event) => this.#onClick(event));
  }

  /** How many rows there are. */
  get size(): number {
    return this.#rows.length;
  }

  /** Every row's id, newest first (the filtered list). */
  ids(): string[] {
    return this.#rows.map((row) => row.id).reverse();
  }

  /** The selected ids, newest first. */
  selection(): string[] {
    return this.ids().filter((id) => this.#selected.has(id));
  }

  /** True when a row with this id is listed. */
  has(id: string): boolean {
    return this.#ids.has(id);
  }

  /** The oldest row, or undefined when there are none. */
  oldest(): ExchangeSummary | undefined {
    return this.#rows[0];
  }

  /** Adds the next page (older rows, newest first as the API sends them) below the oldest; rows already listed are skipped. */
  older(rows: ExchangeSummary[]): void {
    const fresh = rows.filter((row) => !this.#ids.has(row.id)).slice(0, Math.max(0, MAX_ROWS - this.#rows.length));
    if (!fresh.length) return;
    for (const row of fresh) this.#ids.add(row.id);
    this.#rows = [...fresh.reverse(), ...this.#rows];
    this.#schedule();
  }

  /** Replaces every row (a new search, a reload); `rows` newest first, as the API sends them. */
  reset(rows: ExchangeSummary[]): void {
    this.#rows = rows.slice(0, MAX_ROWS).reverse();
    this.#ids.clear();
    for (const row of this.#rows) this.#ids.add(row.id);
    for (const id of [...this.#selected]) if (!this.#ids.has(id)) this.#selected.delete(id);
    if (this.#active && !this.#ids.has(this.#active)) this.#active = undefined;
    this.#anchor = undefined;
    this.#events.selectionChanged(this.#selected.size);
    this.#schedule();
  }

  /**
   * Adds new rows (oldest first, as events send them) on top; the rows on screen stay where they
   * are unless the list is at its top. A row whose id is listed replaces it in place (an open
   * WebSocket connection that closed).
   */
  add(rows: ExchangeSummary[]): void {
    let fresh = 0;
    let updated = false;
    // One row at a time: a batch may hold a connection's open row and its closed one.
    for (const row of rows) {
      if (this.#ids.has(row.id)) {
        const at = this.#rows.findLastIndex((listed) => listed.id === row.id);
        if (at >= 0) this.#rows[at] = row;
        updated = true;
        continue;
      }
      this.#rows.push(row);
      this.#ids.add(row.id);
      fresh++;
    }
    if (!fresh) {
      if (updated) this.#schedule();
      return;
    }
    if (this.#rows.length > MAX_ROWS * 1.1) {
      for (const gone of this.#rows.splice(0, this.#rows.length - MAX_ROWS)) {
        this.#ids.delete(gone.id);
        this.#selected.delete(gone.id);
      }
    }
    // Reading further down, the reader keeps their place: the new rows push in above.
    if (this.#viewport.scrollTop > 0) this.#viewport.scrollTop += fresh * ROW;
    if (this.#anchor !== undefined) this.#anchor += fresh;
    this.#schedule();
  }

  /** Selects only this row and makes it active. */
  selectOnly(id: string): void {
    this.#selected.clear();
    this.#selected.add(id);
    this.#active = id;
    this.#anchor = this.#indexOf(id);
    this.#events.selectionChanged(this.#selected.size);
    this.#schedule();
  }

  /** Renders now (tests and the first paint need not wait for a frame). */
  render(): void {
    this.#frame = 0;
    const count = this.#rows.length;
    this.#spacer.style.height = `${count * ROW}px`;
    const first = Math.max(0, Math.floor(this.#viewport.scrollTop / ROW) - OVERSCAN);
    const visible = Math.ceil((this.#viewport.clientHeight || 600) / ROW) + OVERSCAN * 2;
    const last = Math.min(count, first + visible);
    this.#layer.style.transform = `translateY(${first * ROW}px)`;
    // Exactly the rows in view are in the layer: when the list shrinks (a search, a reset) the
    // surplus elements leave the DOM. (Hiding them is not enough: `.row`'s `display: grid`
    // overrides the `hidden` attribute, so stale rows stayed on screen, clickable.)
    const needed = Math.max(0, last - first);
    while (this.#pool.length < needed) this.#pool.push(this.#makeRow());
    for (let slot = 0; slot < needed; slot++) this.#fill(this.#pool[slot]!, this.#rows[count - 1 - (first + slot)]!, first + slot);
    if (this.#layer.childElementCount !== needed) this.#layer.replaceChildren(...this.#pool.slice(0, needed));
    if (count && last >= count - NEAR_END) this.#events.nearEnd?.();
  }

  #schedule(): void {
    this.#frame ||= requestAnimationFrame(() => this.render());
  }

  #makeRow(): HTMLElement {
    const cell = (name: string) => h('span', { class: `cell ${name}`, role: 'gridcell' });
    return h('div', { class: 'row', role: 'row' }, cell('method'), cell('status'), cell('host'), cell('path'), cell('type'), cell('size'), cell('duration'), cell('flags'), cell('source'));
  }

  #fill(element: HTMLElement, row: ExchangeSummary, index: number): void {
    element.id = `row-${row.id}`;
    element.dataset.id = row.id;
    element.dataset.index = String(index);
    element.setAttribute('aria-rowindex', String(index + 2));
    element.setAttribute('aria-selected', String(this.#selected.has(row.id)));
    element.classList.toggle('active', row.id === this.#active);
    element.classList.toggle('skipped', Boolean(row.flags.skipped));
    element.classList.toggle('media', Boolean(row.flags.media));
    const cells = element.children;
    cells[0]!.textContent = row.method;
    cells[1]!.textContent = row.grpcStatus ?? (row.status === null ? (row.flags.error ? 'ERR' : '–') : String(row.status));
    cells[1]!.className = `cell status ${statusClass(row.status)}`;
    cells[2]!.textContent = row.host;
    cells[3]!.textContent = row.path;
    cells[3]!.setAttribute('title', row.url);
    cells[4]!.textContent = row.type;
    cells[5]!.textContent = formatBytes(row.size);
    cells[6]!.textContent = formatDuration(row.duration);
    const flags: string[] = [];
    if (row.flags.skipped) flags.push(row.flags.skipped.startsWith('filtered') ? 'filtered' : 'not captured');
    if (row.flags.media) flags.push('media');
    if (row.flags.truncated) flags.push('truncated');
    if (row.flags.error) flags.push(row.flags.error.toLowerCase().replace(/_/g, ' '));
    if (row.flags.open) flags.push('open');
    cells[7]!.textContent = flags.join(' · ');
    cells[7]!.setAttribute('title', row.flags.skipped ? `not captured: ${row.flags.skipped}` : flags.join(', '));
    cells[8]!.textContent = row.source;
    cells[8]!.setAttribute('title', row.source);
  }

  #indexOf(id: string): number {
    for (let i = this.#rows.length - 1; i >= 0; i--) if (this.#rows[i]!.id === id) return this.#rows.length - 1 - i;
    return -1;
  }

  #rowAt(index: number): ExchangeSummary | undefined {
    return this.#rows[this.#rows.length - 1 - index];
  }

  #onClick(event: MouseEvent): void {
    const element = (event.target as HTMLElement).closest<HTMLElement>('.row');
    if (!element?.dataset.id) return;
    const id = element.dataset.id;
    // By id, not the rendered index: rows may have come in (or gone) since the last frame.
    const index = this.#indexOf(id);
    if (index < 0) return;
    if (event.shiftKey && this.#anchor !== undefined) {
      this.#selected.clear();
      for (let i = Math.min(this.#anchor, index); i <= Math.max(this.#anchor, index); i++) this.#selected.add(this.#rowAt(i)!.id);
      this.#active = id;
    } else if (event.ctrlKey || event.metaKey) {
      if (this.#selected.has(id)) this.#selected.delete(id);
      else this.#selected.add(id);
      this.#active = id;
      this.#anchor = index;
    } else {
      this.selectOnly(id);
      this.#events.open(this.#rowAt(index)!);
    }
    this.#events.selectionChanged(this.#selected.size);
    this.#viewport.focus();
    this.#syncActive();
    this.#schedule();
  }

  #onKey(event: KeyboardEvent): void {
    const count = this.#rows.length;
    if (!count) return;
    const current = this.#active ? this.#indexOf(this.#active) : -1;
    const page = Math.max(1, Math.floor(this.#viewport.clientHeight / ROW) - 1);
    let next: number | undefined;
    switch (event.key) {
      case 'ArrowDown': next = current + 1; break;
      case 'ArrowUp': next = current - 1; break;
      case 'PageDown': next = current + page; break;
      case 'PageUp': next = current - page; break;
      case 'Home': next = 0; break;
      case 'End': next = count - 1; break;
      case 'Enter': {
        const row = current >= 0 ? this.#rowAt(current) : undefined;
        if (row) this.#events.open(row);
        event.preventDefault();
        return;
      }
      case ' ': {
        const row = current >= 0 ? this.#rowAt(current) : undefined;
        if (row) {
          if (this.#selected.has(row.id)) this.#selected.delete(row.id);
          else this.#selected.add(row.id);
          this.#events.selectionChanged(this.#selected.size);
          this.#schedule();
        }
        event.preventDefault();
        return;
      }
      case 'a':
        if (!(event.ctrlKey || event.metaKey)) return;
        for (const row of this.#rows) this.#selected.add(row.id);
        this.#events.selectionChanged(this.#selected.size);
        this.#schedule();
        event.preventDefault();
        return;
      default:
        return;
    }
    event.preventDefault();
    const index = Math.max(0, Math.min(count - 1, next));
    const row = this.#rowAt(index)!;
    if (event.shiftKey) {
      this.#selected.add(row.id);
      this.#active = row.id;
      this.#events.selectionChanged(this.#selected.size);
    } else this.selectOnly(row.id);
    this.#scrollTo(index);
    this.#syncActive();
    this.#events.open(row);
  }

  #scrollTo(index: number): void {
    const top = index * ROW;
    const viewport = this.#viewport;
    if (top < viewport.scrollTop) viewport.scrollTop = top;
    else if (top + ROW > viewport.scrollTop + viewport.clientHeight) viewport.scrollTop = top + ROW - viewport.clientHeight;
  }

  /** Screen readers follow the active row through aria-activedescendant (rendered first so the id exists). */
  #syncActive(): void {
    this.render();
    if (this.#active) this.#viewport.setAttribute('aria-activedescendant', `row-${this.#active}`);
    else this.#viewport.removeAttribute('aria-activedescendant');
  }
}
