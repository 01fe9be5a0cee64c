import type {
  ThreadSearchPayload,
  ThreadSmartFilterInput,
  ThreadSmartFilterRecord,
  ThreadSmartFilterUpdate,
  ThreadTagInput,
  ThreadTagRecord,
  ThreadTagUpdate,
} from '@open-cowork/shared';
import type { threads as threadsSchemas } from '@open-cowork/shared/schemas';
import type { Static } from '@sinclair/typebox';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Principal } from '../auth/principal.js';
import { cursorScope, keysetCursor } from '../cursor.js';
import { httpError } from '../errors.js';
import { newId } from '../ids.js';
import type { Db, Queryable } from '../store/db.js';
import type { Stores } from '../store/stores.js';
import { isUniqueViolation, type ThreadOwner } from '../store/threads.js';
import type { AuditService } from './audit.js';
import { callerOf } from './sessions.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Threads: the caller's sessions as a searchable list, with their tags and smart filters. */
    threads: ThreadService;
  }
}

type ThreadSearchQuery = Static<typeof threadsSchemas.ThreadSearchQuery>;

const DEFAULT_PAGE = 100;
const MAX_TAGS_PER_SEARCH = 50;
const MAX_QUERY_BYTES = 16 * 1024;

function scopeHash(owner: ThreadOwner, filter: { statuses: string[]; tagIds: string[]; text: string | null }): string {
  return cursorScope({ ...owner, statuses: [...filter.statuses].sort(), tagIds: [...filter.tagIds].sort(), text: filter.text ?? '' });
}

const cursors = keysetCursor({
  time: 'updatedAt',
  id: 'sessionId',
  invalid: () => httpError('threads.cursor.invalid', 'The threads cursor is invalid or belongs to another search.'),
});

const tagTaken = () => httpError('threads.tag_name_taken', 'You already have a tag with this name.');
const tagNotFound = () => httpError('threads.tag_not_found', 'Thread tag was not found.');
const filterNotFound = () => httpError('threads.filter_not_found', 'Smart filter was not found.');

function checkQuerySize(query: Record<string, unknown>) {
  if (Buffer.byteLength(JSON.stringify(query)) > MAX_QUERY_BYTES) {
    throw httpError('threads.filter_query_too_large', `A smart filter query may take at most ${MAX_QUERY_BYTES} bytes of JSON.`);
  }
}

/**
 * Threads: the caller's sessions as a searchable list, with the caller's own tags and smart
 * filters. Tag names are unique per user (case-insensitive). Every change is audited in its
 * transaction.
 */
function createThreadService(deps: { db: Db; threads: Stores['threads']; audit: AuditService }) {
  const { db, threads, audit } = deps;

  /** Runs a tag write; a concurrent twin that took the same name becomes a 409. */
  const tagWrite = async <T>(work: (tx: Queryable) => Promise<T>): Promise<T> => {
    try {
      return await db.transaction(work);
    } catch (error) {
      throw isUniqueViolation(error) ? tagTaken() : error;
    }
  };

  /** Tags or untags all the sessions or none (404 when any is unknown or another user's). */
  const assignment = (action: 'apply' | 'remove') => async (principal: Principal, tagId: string, ids: string[]) => {
    const owner = callerOf(principal);
    const sessionIds = [...new Set(ids)];
    await db.transaction(async (tx) => {
      const tag = await threads.getTag(tx, owner, tagId, true);
      if (!tag) throw tagNotFound();
      const owned = await threads.ownedSessions(tx, owner, sessionIds);
      const missing = sessionIds.filter((id) => !owned.has(id));
      if (missing.length > 0) {
        throw httpError('sessions.not_found', `Cloud session was not found: ${missing.slice(0, 5).join(', ')}.`, {
          body: { sessionIds: missing.slice(0, 50) },
        });
      }
      if (action === 'apply') await threads.assign(tx, tag.tagId, sessionIds, new Date().toISOString());
      else await threads.unassign(tx, tag.tagId, sessionIds);
      await audit.record(tx, principal, {
        action: action === 'apply' ? 'thread_tag.applied' : 'thread_tag.removed',
        targetType: 'thread_tag',
        targetId: tag.tagId,
        metadata: { sessionIds: sessionIds.slice(0, 50), count: sessionIds.length },
      });
    });
    return { ok: true as const };
  };

  return {
    /** One page of the caller's threads: every status given, every tag given (`tagId` and the `tagIds` list), the text. */
    async search(principal: Principal, query: ThreadSearchQuery): Promise<ThreadSearchPayload> {
      const { limit = DEFAULT_PAGE, tagId = [], tagIds, q, status = [], cursor } = query;
      const csv = (tagIds ?? '')
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id !== '');
      const owner = callerOf(principal);
      const filter = { statuses: [...new Set(status)], tagIds: [...new Set([...tagId, ...csv])], text: q?.trim().toLowerCase() || null };
      if (filter.tagIds.length > MAX_TAGS_PER_SEARCH) throw httpError('threads.too_many_tags', 'Filter by at most 50 tags.');
      const scope = scopeHash(owner, filter);
      const after = cursor ? cursors.decode(cursor, scope) : null;
      const { page, nextCursor } = cursors.page(await threads.search(db, { ...owner, ...filter }, after, limit + 1), limit, scope);
      return { threads: page, nextCursor, totalEstimate: nextCursor ? limit + 1 : page.length };
    },

    listTags: async (principal: Principal): Promise<{ tags: ThreadTagRecord[] }> => ({
      tags: await threads.listTags(db, callerOf(principal)),
    }),

    async createTag(principal: Principal, input: ThreadTagInput): Promise<{ tag: ThreadTagRecord }> {
      const name = input.name.trim();
      const tag = await tagWrite(async (tx) => {
        const created = await threads.insertTag(tx, callerOf(principal), {
          tagId: newId('tag'),
          name,
          color: input.color ?? null,
          now: new Date().toISOString(),
        });
        await audit.record(tx, principal, {
          action: 'thread_tag.created',
          targetType: 'thread_tag',
          targetId: created.tagId,
          metadata: { name },
        });
        return created;
      });
      return { tag };
    },

    /** Renames or recolours a tag; a change to nothing is not audited. */
    async updateTag(principal: Principal, tagId: string, input: ThreadTagUpdate): Promise<{ tag: ThreadTagRecord }> {
      const tag = await tagWrite(async (tx) => {
        const existing = await threads.getTag(tx, callerOf(principal), tagId, true);
        if (!existing) throw tagNotFound();
        const name = input.name?.trim() ?? existing.name;
        const color = input.color === undefined ? existing.color : input.color;
        if (name === existing.name && color === existing.color) return existing;
        const updated = await threads.updateTag(tx, existing.tagId, { name, color, now: new Date().toISOString() });
        await audit.record(tx, principal, {
          action: 'thread_tag.updated',
          targetType: 'thread_tag',
          targetId: existing.tagId,
          metadata: { name, color },
        });
        return updated;
      });
      return { tag };
    },

    async deleteTag(principal: Principal, tagId: string): Promise<{ deleted: boolean }> {
      const deleted = await db.transaction(async (tx) => {
        const removed = await threads.deleteTag(tx, callerOf(principal), tagId);
        if (removed) await audit.record(tx, principal, { action: 'thread_tag.deleted', targetType: 'thread_tag', targetId: tagId });
        return removed;
      });
      return { deleted };
    },

    applyTag: assignment('apply'),
    removeTag: assignment('remove'),

    listFilters: async (principal: Principal): Promise<{ filters: ThreadSmartFilterRecord[] }> => ({
      filters: await threads.listFilters(db, callerOf(principal)),
    }),

    async createFilter(principal: Principal, input: ThreadSmartFilterInput): Promise<{ filter: ThreadSmartFilterRecord }> {
      checkQuerySize(input.query);
      const filter = await db.transaction(async (tx) => {
        const created = await threads.insertFilter(tx, callerOf(principal), {
          filterId: newId('tflt'),
          name: input.name.trim(),
          query: input.query,
          now: new Date().toISOString(),
        });
        await audit.record(tx, principal, {
          action: 'thread_filter.created',
          targetType: 'thread_filter',
          targetId: created.filterId,
          metadata: { name: created.name },
        });
        return created;
      });
      return { filter };
    },

    /** Renames a filter or replaces its query; a body with neither changes (and audits) nothing. */
    async updateFilter(
      principal: Principal,
      filterId: string,
      input: ThreadSmartFilterUpdate,
    ): Promise<{ filter: ThreadSmartFilterRecord }> {
      if (input.query) checkQuerySize(input.query);
      const filter = await db.transaction(async (tx) => {
        const existing = await threads.getFilter(tx, callerOf(principal), filterId, true);
        if (!existing) throw filterNotFound();
        if (input.name === undefined && input.query === undefined) return existing;
        const updated = await threads.updateFilter(tx, existing.filterId, {
          name: input.name?.trim() ?? existing.name,
          query: input.query ?? existing.query,
          now: new Date().toISOString(),
        });
        await audit.record(tx, principal, {
          action: 'thread_filter.updated',
          targetType: 'thread_filter',
          targetId: existing.filterId,
          metadata: { name: updated.name },
        });
        return updated;
      });
      return { filter };
    },

    async deleteFilter(principal: Principal, filterId: string): Promise<{ deleted: boolean }> {
      const deleted = await db.transaction(async (tx) => {
        const removed = await threads.deleteFilter(tx, callerOf(principal), filterId);
        if (removed)
          await audit.record(tx, principal, { action: 'thread_filter.deleted', targetType: 'thread_filter', targetId: filterId });
        return removed;
      });
      return { deleted };
    },
  };
}

type ThreadService = ReturnType<typeof createThreadService>;

async function threadServicesPlugin(app: FastifyInstance) {
  app.decorate('threads', createThreadService({ db: app.db, threads: app.stores.threads, audit: app.audit }));
}

/** `app.threads`, for the thread routes. */
export const threadServices = fp(threadServicesPlugin, { name: 'thread-services', dependencies: ['store', 'account-services'] });
