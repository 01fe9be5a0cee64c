/** Tiny DOM helpers. Text always goes in through `textContent`: message content is untrusted. */

export type Child = Node | string | null | undefined | false;

/** An element with attributes (`true` sets an empty one, `false`/`undefined` omits it) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) element.setAttribute(name, '');
    else if (typeof value === 'string') element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child) element.append(child);
  }
  return element;
}

/** The element with `id`, which the page's HTML guarantees. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`The page has no #${id}.`);
  return element as T;
}

/** A button that runs `action` on click. */
export function button(label: string, action: () => void, attributes: Record<string, string | boolean | undefined> = {}) {
  const element = h('button', { type: 'button', ...attributes }, label);
  element.addEventListener('click', action);
  return element;
}

/**
 * Keyed update of a list: an item whose `signature` is unchanged keeps its element (and so its
 * scroll position, focus and selection); a changed one is rebuilt. Streaming replies then touch
 * one element per event instead of the whole transcript.
 */
export interface KeyedItem {
  key: string;
  signature: string;
  build(): HTMLElement;
}

export function renderKeyed(container: HTMLElement, items: readonly KeyedItem[]): void {
  const existing = new Map<string, HTMLElement>();
  for (const child of Array.from(container.children)) {
    if (child instanceof HTMLElement && child.dataset.key) existing.set(child.dataset.key, child);
  }
  let previous: Element | null = null;
  for (const item of items) {
    let element = existing.get(item.key);
    existing.delete(item.key);
    if (!element || element.dataset.signature !== item.signature) {
      const fresh = item.build();
      fresh.dataset.key = item.key;
      fresh.dataset.signature = item.signature;
      if (element) element.replaceWith(fresh);
      element = fresh;
    }
    const expected: Element | null = previous ? previous.nextElementSibling : container.firstElementChild;
    if (expected !== element) container.insertBefore(element, expected);
    previous = element;
  }
  for (const stale of existing.values()) stale.remove();
}
