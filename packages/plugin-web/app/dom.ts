/** Children `h` accepts: nodes, text (always as text, never HTML), and nothing. */
export type Child = Node | string | number | null | undefined | false;

/**
 * Creates an element. Captured data only ever goes in as text nodes or attributes, never as
 * HTML, so a captured body cannot run script in the view.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string | boolean | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** Finds an element the page must have. */
export function $<T extends HTMLElement = HTMLElement>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (!found) throw new Error(`page is missing ${selector}`);
  return found;
}
