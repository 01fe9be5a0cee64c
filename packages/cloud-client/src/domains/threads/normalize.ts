import type { ThreadMetadata, ThreadTagRecord } from '@open-cowork/shared';

/**
 * The desktop thread-list shape, and the conversion of the server's thread and tag records into it.
 * Internal to the threads domain, which re-exports the types.
 */

/** Colour of a tag the server stored without one. */
export const DEFAULT_THREAD_TAG_COLOR = '#64748b';

/** A tag, normalised: `tagId` becomes `id`, a missing colour becomes the default. */
export interface ThreadTag {
  id: string;
  name: string;
  color: string;
  createdAt: string;
  updatedAt: string;
}

/** Status of a thread as the list shows it. */
export type ThreadStatus = 'idle' | 'running' | 'error';

/**
 * A thread in the shape the desktop thread list uses. Cloud threads carry no directory, model or
 * usage, so those are null or zero.
 */
export interface ThreadListItem {
  id: string;
  sessionId: string;
  title: string | null;
  source: 'cloud';
  directory: null;
  profileName: string;
  provider: null;
  model: null;
  status: ThreadStatus;
  createdAt: string;
  updatedAt: string;
  tags: ThreadTag[];
  actualAgents: { name: string; count: number }[];
  messageCount: number;
  cost: number;
  tokens: { input: number; output: number; reasoning: number; cacheRead: number; cacheWrite: number };
}

/** A facet value and how many threads of the searched page carry it. */
export interface ThreadFacetCount {
  value: string;
  count: number;
}

/** A tag record in the list shape. */
export function normalizeTag(tag: ThreadTagRecord): ThreadTag {
  return {
    id: tag.tagId,
    name: tag.name,
    color: typeof tag.color === 'string' && tag.color !== '' ? tag.color : DEFAULT_THREAD_TAG_COLOR,
    createdAt: tag.createdAt,
    updatedAt: tag.updatedAt,
  };
}

/** Some servers list a thread's tags by id only; the name falls back to the id. */
function bareTag(tagId: string, thread: ThreadMetadata): ThreadTagRecord {
  const { tenantId, createdAt, updatedAt } = thread;
  return { tenantId, tagId, name: tagId, color: null, createdAt, updatedAt };
}

function threadStatus(status: string): ThreadStatus {
  if (status === 'errored' || status === 'error') return 'error';
  return status === 'running' ? 'running' : 'idle';
}

/** A thread record in the list shape. */
export function normalizeThread(thread: ThreadMetadata): ThreadListItem {
  return {
    id: thread.sessionId,
    sessionId: thread.sessionId,
    title: thread.title ?? null,
    source: 'cloud',
    directory: null,
    profileName: thread.profileName,
    provider: null,
    model: null,
    status: threadStatus(thread.status),
    createdAt: thread.createdAt,
    updatedAt: thread.updatedAt,
    tags: ((thread.tags ?? []) as (ThreadTagRecord | string)[]).map((tag) =>
      normalizeTag(typeof tag === 'string' ? bareTag(tag, thread) : tag),
    ),
    actualAgents: [{ name: thread.profileName, count: 1 }],
    messageCount: 0,
    cost: 0,
    tokens: { input: 0, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0 },
  };
}

/** Facets of a search, counted over its first page only (see `threadFacets`). */
export interface ThreadFacetSummary {
  tags: (ThreadTag & { count: number })[];
  statuses: ThreadFacetCount[];
  agents: ThreadFacetCount[];
}

/** How often each value occurs, in order of first occurrence. */
function countBy(values: string[]): ThreadFacetCount[] {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].map(([value, count]) => ({ value, count }));
}

/** Counts the facets of `threads`; every tag of `tags` is listed, with count 0 when no thread carries it. */
export function facetSummary(threads: ThreadListItem[], tags: ThreadTag[]): ThreadFacetSummary {
  const tagCounts = countBy(threads.flatMap((thread) => thread.tags.map((tag) => tag.id)));
  return {
    tags: tags.map((tag) => ({ ...tag, count: tagCounts.find((entry) => entry.value === tag.id)?.count ?? 0 })),
    statuses: countBy(threads.map((thread) => thread.status)),
    agents: countBy(threads.flatMap((thread) => thread.actualAgents.map((agent) => agent.name))),
  };
}
