import type {
  SessionStatus,
  ThreadMetadata,
  ThreadSearchPayload,
  ThreadSmartFilterInput,
  ThreadSmartFilterRecord,
  ThreadSmartFilterUpdate,
  ThreadTagInput,
  ThreadTagRecord,
  ThreadTagUpdate,
} from '@open-cowork/shared';
import type { CloudClientContext, CloudCommandOptions, HttpMethod } from '../core/context.js';
import { invalidRequest } from '../core/errors.js';
import { apiPath } from '../core/path.js';

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

/**
 * A thread search. Every server honours `limit` and `tagIds`; `text` (as `q`), `statuses` (as the
 * session statuses they stand for, `status` repeated) and `cursor` are sent too, and servers of
 * the first contract ignore them (they return their first page unfiltered by those).
 */
export interface ThreadSearchQuery {
  text?: string;
  limit?: number;
  tagIds?: string[];
  statuses?: ThreadStatus[];
  cursor?: string | null;
}

/** Result of `searchThreads`. `nextCursor` is null on servers without thread paging. */
export interface ThreadSearchResult {
  threads: ThreadListItem[];
  nextCursor: string | null;
  totalEstimate: number;
}

/** A facet value and how many threads of the searched page carry it. */
export interface ThreadFacetCount {
  value: string;
  count: number;
}

/** Facets of a search, counted over its first page only (see `threadFacets`). */
export interface ThreadFacetSummary {
  tags: (ThreadTag & { count: number })[];
  statuses: ThreadFacetCount[];
  agents: ThreadFacetCount[];
}

/** A saved search, as stored. */
export type ThreadSmartFilter = ThreadSmartFilterRecord;

type TagBody = { tag: ThreadTagRecord };
type FilterBody = { filter: ThreadSmartFilterRecord };

/** The session statuses each list status stands for, as sent in `status`. */
const WIRE_STATUSES: Record<ThreadStatus, SessionStatus[]> = {
  idle: ['idle', 'closed'],
  running: ['running'],
  error: ['errored'],
};
const THREAD_STATUSES = Object.keys(WIRE_STATUSES) as ThreadStatus[];

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireText(value: unknown, name: string): void {
  if (typeof value !== 'string' || value.trim() === '') throw invalidRequest(`${name} must be a non-empty string.`);
}

/** Query strings: absent (undefined or null) or a string; anything else is a caller bug. */
function optionalStrings(values: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(values)) {
    if (value != null && typeof value !== 'string') throw invalidRequest(`${name} must be a string.`);
  }
}

function requireIds(value: unknown, name: string): asserts value is string[] {
  if (!Array.isArray(value) || value.length === 0) throw invalidRequest(`${name} must be a non-empty array.`);
  value.forEach((id, index) => requireText(id, `${name}[${index}]`));
}

function normalizeTag(tag: ThreadTagRecord): ThreadTag {
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

function normalizeThread(thread: ThreadMetadata): ThreadListItem {
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

function searchParams(query: ThreadSearchQuery) {
  if (!isObject(query)) throw invalidRequest('The thread search query must be an object.');
  const { text, limit, tagIds, statuses, cursor } = query;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw invalidRequest('limit must be a positive integer.');
  }
  optionalStrings({ text, cursor });
  // An empty list means no tag filter.
  if (tagIds !== undefined && (!Array.isArray(tagIds) || tagIds.length > 0)) requireIds(tagIds, 'tagIds');
  if (statuses !== undefined && (!Array.isArray(statuses) || statuses.some((s) => !THREAD_STATUSES.includes(s)))) {
    throw invalidRequest(`statuses must be an array of ${THREAD_STATUSES.join(', ')}.`);
  }
  return {
    limit,
    tagId: tagIds,
    q: text?.trim() || undefined,
    status: statuses?.flatMap((status) => WIRE_STATUSES[status]),
    cursor: cursor ?? undefined,
  };
}

function countBy(values: string[]): ThreadFacetCount[] {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].map(([value, count]) => ({ value, count }));
}

/** Threads: search, tags and smart filters over the caller's sessions (wire contract §2.4). */
export function createCloudThreadsClient(ctx: CloudClientContext) {
  const send = <T>(method: HttpMethod, path: string, body: object | undefined, options: CloudCommandOptions = {}) =>
    ctx.request<T>(path, { method, body, idempotencyKey: options.idempotencyKey, signal: options.signal });

  const searchThreads = async (query: ThreadSearchQuery = {}): Promise<ThreadSearchResult> => {
    const payload = await ctx.request<ThreadSearchPayload>('/api/threads', { query: searchParams(query) });
    const threads = payload.threads.map(normalizeThread);
    return { threads, nextCursor: payload.nextCursor ?? null, totalEstimate: payload.totalEstimate ?? threads.length };
  };

  const listThreadTags = async (): Promise<ThreadTag[]> =>
    (await ctx.request<{ tags: ThreadTagRecord[] }>('/api/threads/tags')).tags.map(normalizeTag);

  /** apply/remove: the server has no batch route, so one request per tag, one after another (not atomic). */
  const assignTags = async (
    action: 'apply' | 'remove',
    sessionIds: string[],
    tagIds: string[],
    options?: CloudCommandOptions,
  ) => {
    requireIds(sessionIds, 'sessionIds');
    requireIds(tagIds, 'tagIds');
    const paths = tagIds.map((tagId) => `${apiPath`/api/threads/tags/${tagId}`}/${action}`);
    for (const path of paths) await send('POST', path, { sessionIds }, options);
    return true as const;
  };

  return {
    /**
     * `GET /api/threads?limit&tagId…&q&status…&cursor`: threads in the list shape. Servers of the
     * first contract filter by `limit` and `tagIds` only, and never page (`nextCursor` null).
     */
    searchThreads,

    /**
     * Facets of a search: one search plus the tag list. Counts cover the first page of the search
     * only (the server offers no facet route); every tag is listed, with count 0 when absent.
     */
    async threadFacets(query: ThreadSearchQuery = {}): Promise<ThreadFacetSummary> {
      const { threads } = await searchThreads(query);
      const tags = await listThreadTags();
      const tagCounts = countBy(threads.flatMap((thread) => thread.tags.map((tag) => tag.id)));
      return {
        tags: tags.map((tag) => ({ ...tag, count: tagCounts.find((entry) => entry.value === tag.id)?.count ?? 0 })),
        statuses: countBy(threads.map((thread) => thread.status)),
        agents: countBy(threads.flatMap((thread) => thread.actualAgents.map((agent) => agent.name))),
      };
    },

    /** `GET /api/threads/tags` → the tags, normalised. */
    listThreadTags,

    /** `POST /api/threads/tags` (201) → the new tag. */
    async createThreadTag(input: ThreadTagInput, options?: CloudCommandOptions): Promise<ThreadTag> {
      if (!isObject(input)) throw invalidRequest('The tag input must be an object.');
      requireText(input.name, 'name');
      const body = { name: input.name, color: input.color };
      return normalizeTag((await send<TagBody>('POST', '/api/threads/tags', body, options)).tag);
    },

    /** `PATCH /api/threads/tags/:tagId` → the updated tag; `not_found` when missing. */
    async updateThreadTag(tagId: string, input: ThreadTagUpdate, options?: CloudCommandOptions): Promise<ThreadTag> {
      const path = apiPath`/api/threads/tags/${tagId}`;
      if (!isObject(input)) throw invalidRequest('The tag update must be an object.');
      const body = { name: input.name, color: input.color };
      return normalizeTag((await send<TagBody>('PATCH', path, body, options)).tag);
    },

    /** `DELETE /api/threads/tags/:tagId` → whether a tag was deleted. */
    async deleteThreadTag(tagId: string, options?: CloudCommandOptions): Promise<boolean> {
      const path = apiPath`/api/threads/tags/${tagId}`;
      return (await send<{ deleted: boolean }>('DELETE', path, undefined, options)).deleted === true;
    },

    /** Tags the sessions with every tag: `POST /api/threads/tags/:tagId/apply` once per tag, in order. */
    async applyThreadTags(sessionIds: string[], tagIds: string[], options?: CloudCommandOptions): Promise<true> {
      return assignTags('apply', sessionIds, tagIds, options);
    },

    /** Untags the sessions: `POST /api/threads/tags/:tagId/remove` once per tag, in order. */
    async removeThreadTags(sessionIds: string[], tagIds: string[], options?: CloudCommandOptions): Promise<true> {
      return assignTags('remove', sessionIds, tagIds, options);
    },

    /** `GET /api/threads/smart-filters` → the saved filters. */
    async listThreadSmartFilters(): Promise<ThreadSmartFilter[]> {
      return (await ctx.request<{ filters: ThreadSmartFilterRecord[] }>('/api/threads/smart-filters')).filters;
    },

    /** `POST /api/threads/smart-filters` (201) → the new filter. */
    async createThreadSmartFilter(
      input: ThreadSmartFilterInput,
      options?: CloudCommandOptions,
    ): Promise<ThreadSmartFilter> {
      if (!isObject(input)) throw invalidRequest('The filter input must be an object.');
      requireText(input.name, 'name');
      if (!isObject(input.query)) throw invalidRequest('query must be an object.');
      const body = { name: input.name, query: input.query };
      return (await send<FilterBody>('POST', '/api/threads/smart-filters', body, options)).filter;
    },

    /** `PATCH /api/threads/smart-filters/:id` → the updated filter; `not_found` when missing. */
    async updateThreadSmartFilter(
      filterId: string,
      input: ThreadSmartFilterUpdate,
      options?: CloudCommandOptions,
    ): Promise<ThreadSmartFilter> {
      const path = apiPath`/api/threads/smart-filters/${filterId}`;
      if (!isObject(input)) throw invalidRequest('The filter update must be an object.');
      if (input.query !== undefined && !isObject(input.query)) throw invalidRequest('query must be an object.');
      return (await send<FilterBody>('PATCH', path, { name: input.name, query: input.query }, options)).filter;
    },

    /** `DELETE /api/threads/smart-filters/:id` → whether a filter was deleted. */
    async deleteThreadSmartFilter(filterId: string, options?: CloudCommandOptions): Promise<boolean> {
      const path = apiPath`/api/threads/smart-filters/${filterId}`;
      return (await send<{ deleted: boolean }>('DELETE', path, undefined, options)).deleted === true;
    },
  };
}

/** The threads domain's methods. */
export type CloudThreadsClient = ReturnType<typeof createCloudThreadsClient>;
