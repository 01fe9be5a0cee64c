import type {
  SessionStatus,
  ThreadSearchPayload,
  ThreadSmartFilterInput,
  ThreadSmartFilterRecord,
  ThreadSmartFilterUpdate,
  ThreadTagInput,
  ThreadTagRecord,
  ThreadTagUpdate,
} from '@open-cowork/shared';
import { commandSender, type CloudClientContext, type CloudCommandOptions } from '../core/context.js';
import { apiPath } from '../core/path.js';
import { check, isObject, optionalPositiveInteger, optionalStrings, requireObject, requireText } from '../core/validate.js';
import {
  facetSummary,
  normalizeTag,
  normalizeThread,
  type ThreadFacetSummary,
  type ThreadListItem,
  type ThreadStatus,
  type ThreadTag,
} from './threads/normalize.js';

export {
  DEFAULT_THREAD_TAG_COLOR,
  type ThreadFacetCount,
  type ThreadFacetSummary,
  type ThreadListItem,
  type ThreadStatus,
  type ThreadTag,
} from './threads/normalize.js';

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

function requireIds(value: unknown, name: string): asserts value is string[] {
  check(Array.isArray(value) && value.length > 0, `${name} must be a non-empty array.`);
  value.forEach((id, index) => requireText(id, `${name}[${index}]`));
}

function searchParams(query: ThreadSearchQuery) {
  requireObject(query, 'The thread search query');
  const { text, limit, tagIds, statuses, cursor } = query;
  optionalPositiveInteger(limit, 'limit');
  optionalStrings({ text, cursor });
  // An empty list means no tag filter.
  if (tagIds !== undefined && (!Array.isArray(tagIds) || tagIds.length > 0)) requireIds(tagIds, 'tagIds');
  const validStatuses = Array.isArray(statuses) && statuses.every((status) => THREAD_STATUSES.includes(status));
  check(statuses === undefined || validStatuses, `statuses must be an array of ${THREAD_STATUSES.join(', ')}.`);
  return {
    limit,
    tagId: tagIds,
    q: text?.trim() || undefined,
    status: statuses?.flatMap((status) => WIRE_STATUSES[status]),
    cursor: cursor ?? undefined,
  };
}

/** Threads: search, tags and smart filters over the caller's sessions. */
export function createCloudThreadsClient(ctx: CloudClientContext) {
  const send = commandSender(ctx);

  const searchThreads = async (query: ThreadSearchQuery = {}): Promise<ThreadSearchResult> => {
    const payload = await ctx.request<ThreadSearchPayload>('/api/threads', { query: searchParams(query) });
    const threads = payload.threads.map(normalizeThread);
    return { threads, nextCursor: payload.nextCursor ?? null, totalEstimate: payload.totalEstimate ?? threads.length };
  };

  const listThreadTags = async (): Promise<ThreadTag[]> =>
    (await ctx.request<{ tags: ThreadTagRecord[] }>('/api/threads/tags')).tags.map(normalizeTag);

  /** apply/remove: the server has no batch route, so one request per tag, one after another (not atomic). */
  const assignTags = async (action: 'apply' | 'remove', sessionIds: string[], tagIds: string[], options?: CloudCommandOptions) => {
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
      return facetSummary(threads, await listThreadTags());
    },

    /** `GET /api/threads/tags` → the tags, normalised. */
    listThreadTags,

    /** `POST /api/threads/tags` (201) → the new tag. */
    async createThreadTag(input: ThreadTagInput, options?: CloudCommandOptions): Promise<ThreadTag> {
      requireObject(input, 'The tag input');
      requireText(input.name, 'name');
      const body = { name: input.name, color: input.color };
      return normalizeTag((await send<TagBody>('POST', '/api/threads/tags', body, options)).tag);
    },

    /** `PATCH /api/threads/tags/:tagId` → the updated tag; `not_found` when missing. */
    async updateThreadTag(tagId: string, input: ThreadTagUpdate, options?: CloudCommandOptions): Promise<ThreadTag> {
      const path = apiPath`/api/threads/tags/${tagId}`;
      requireObject(input, 'The tag update');
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
    async createThreadSmartFilter(input: ThreadSmartFilterInput, options?: CloudCommandOptions): Promise<ThreadSmartFilter> {
      requireObject(input, 'The filter input');
      requireText(input.name, 'name');
      requireObject(input.query, 'query');
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
      requireObject(input, 'The filter update');
      check(input.query === undefined || isObject(input.query), 'query must be an object.');
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
