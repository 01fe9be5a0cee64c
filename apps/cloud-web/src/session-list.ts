import type { CloudTransportAdapter } from '@open-cowork/cloud-client';
import type { SessionRecord } from '@open-cowork/shared';
import { button, h, renderKeyed } from './dom.js';
import { sessionLabel } from './render.js';

/** Sessions per page: enough to fill a tall screen, so that scrolling asks for the next one. */
const PAGE_SIZE = 30;

export interface SessionListElements {
  list: HTMLElement;
  search: HTMLInputElement;
  /** Below the list; when it scrolls into view, the next page is fetched. */
  more: HTMLElement;
  status: HTMLElement;
}

/**
 * The sessions list: most recently updated first, fetched one cursor page at a time as the end
 * of the list scrolls into view, and searched by title (the server's `q`) as the person types.
 */
export function createSessionList(
  cloud: CloudTransportAdapter,
  ui: SessionListElements,
  handlers: { open(sessionId: string): void; fail(error: unknown, doing: string): void },
) {
  let sessions: SessionRecord[] = [];
  let cursor: string | null = null;
  let exhausted = false;
  let loading = false;
  let selected: string | null = null;
  // A new search makes the answers of the previous one stale.
  let generation = 0;

  function render(): void {
    renderKeyed(
      ui.list,
      sessions.map((session) => {
        const current = session.sessionId === selected;
        return {
          key: session.sessionId,
          signature: `${sessionLabel(session)}|${session.status}|${current}`,
          build: () =>
            h(
              'li',
              {},
              button(sessionLabel(session), () => handlers.open(session.sessionId), {
                'aria-current': current ? 'true' : undefined,
                class: session.status === 'closed' ? 'closed' : undefined,
                title: session.status === 'closed' ? 'Closed session' : undefined,
              }),
            ),
        };
      }),
    );
    const query = ui.search.value.trim();
    ui.status.textContent = sessions.length === 0 && exhausted ? (query ? `No session matches “${query}”.` : 'No sessions yet.') : '';
    ui.more.hidden = exhausted;
  }

  async function loadMore(): Promise<void> {
    if (loading || exhausted) return;
    loading = true;
    const asked = generation;
    const q = ui.search.value.trim();
    try {
      const page = await cloud.listSessionsPage({ limit: PAGE_SIZE, ...(cursor ? { cursor } : {}), ...(q ? { q } : {}) });
      if (asked !== generation) return;
      const known = new Set(sessions.map((session) => session.sessionId));
      sessions = [...sessions, ...page.sessions.filter((session) => !known.has(session.sessionId))];
      cursor = page.nextCursor;
      exhausted = page.nextCursor === null;
      render();
    } catch (error) {
      if (asked === generation) handlers.fail(error, 'list the sessions');
    } finally {
      if (asked === generation) loading = false;
    }
    // The page did not fill the list: the marker is still in view, so fetch on.
    if (asked === generation && !exhausted && isVisible(ui.more)) void loadMore();
  }

  function reload(): Promise<void> {
    generation += 1;
    sessions = [];
    cursor = null;
    exhausted = false;
    loading = false;
    return loadMore();
  }

  const scrollParent = ui.list.closest('nav');
  const isVisible = (element: HTMLElement) => {
    const box = element.getBoundingClientRect();
    const frame = scrollParent?.getBoundingClientRect();
    return !element.hidden && box.height >= 0 && (!frame || (box.top < frame.bottom && box.bottom >= frame.top));
  };
  new IntersectionObserver(
    (entries) => {
      if (entries.some((entry) => entry.isIntersecting)) void loadMore();
    },
    { root: scrollParent, rootMargin: '200px' },
  ).observe(ui.more);

  let typing: ReturnType<typeof setTimeout> | undefined;
  ui.search.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => void reload(), 250);
  });

  return {
    reload,
    select(sessionId: string | null): void {
      selected = sessionId;
      render();
    },
    /** A session created, renamed or closed here: updated in place, or put first when new. */
    upsert(record: SessionRecord): void {
      const index = sessions.findIndex((session) => session.sessionId === record.sessionId);
      sessions = index >= 0 ? sessions.map((session, n) => (n === index ? record : session)) : [record, ...sessions];
      render();
    },
    find: (sessionId: string) => sessions.find((session) => session.sessionId === sessionId),
  };
}
