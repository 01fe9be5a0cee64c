import { threads as threadsSchemas } from '@open-cowork/shared/schemas';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { cursorScope, keysetCursor } from '../cursor.js';
import { httpError } from '../errors.js';
import { newId } from '../ids.js';
import type { Queryable } from '../store/db.js';
import { isUniqueViolation, type ThreadOwner } from '../store/threads.js';

const {
  DeletedResponse,
  FilterCreateBody,
  FilterListResponse,
  FilterParams,
  FilterResponse,
  FilterUpdateBody,
  OkResponse,
  TagAssignmentBody,
  TagCreateBody,
  TagListResponse,
  TagParams,
  TagResponse,
  TagUpdateBody,
  ThreadSearchQuery,
  ThreadSearchResponse,
} = threadsSchemas;

const DEFAULT_PAGE = 100;
const MAX_QUERY_BYTES = 16 * 1024;

const ownerOf = (request: FastifyRequest): ThreadOwner => ({ tenantId: request.principal.tenantId, userId: request.principal.userId });

function scopeHash(owner: ThreadOwner, filter: { statuses: string[]; tagIds: string[]; text: string | null }): string {
  return cursorScope({ ...owner, statuses: [...filter.statuses].sort(), tagIds: [...filter.tagIds].sort(), text: filter.text ?? '' });
}

const cursors = keysetCursor({
  time: 'updatedAt',
  id: 'sessionId',
  invalid: () => httpError('threads.cursor.invalid', 'The threads cursor is invalid or belongs to another search.'),
});

/**
 * Threads: the caller's sessions as a searchable list, with the caller's own
 * tags and smart filters. Tag names are unique per user (case-insensitive).
 */
export async function threadRoutes(app: FastifyInstance) {
  const threads = app.stores.threads;
  const member = { access: 'member' as const };

  const tagTaken = () => httpError('threads.tag_name_taken', 'You already have a tag with this name.');
  const tagNotFound = () => httpError('threads.tag_not_found', 'Thread tag was not found.');
  const filterNotFound = () => httpError('threads.filter_not_found', 'Smart filter was not found.');
  /** Runs a tag write; a concurrent twin that took the same name becomes a 409. */
  const tagWrite = async <T>(work: (tx: Queryable) => Promise<T>): Promise<T> => {
    try {
      return await app.db.transaction(work);
    } catch (error) {
      throw isUniqueViolation(error) ? tagTaken() : error;
    }
  };
  const checkQuerySize = (query: Record<string, unknown>) => {
    if (Buffer.byteLength(JSON.stringify(query)) > MAX_QUERY_BYTES) {
      throw httpError('threads.filter_query_too_large', `A smart filter query may take at most ${MAX_QUERY_BYTES} bytes of JSON.`);
    }
  };

  app.get<{ Querystring: Static<typeof ThreadSearchQuery> }>(
    '/api/threads',
    { config: member, schema: { querystring: ThreadSearchQuery, response: { 200: ThreadSearchResponse } } },
    async (request) => {
      const { limit = DEFAULT_PAGE, tagId = [], tagIds, q, status = [], cursor } = request.query;
      const csv = (tagIds ?? '')
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id !== '');
      const owner = ownerOf(request);
      const filter = { statuses: [...new Set(status)], tagIds: [...new Set([...tagId, ...csv])], text: q?.trim().toLowerCase() || null };
      if (filter.tagIds.length > 50) throw httpError('threads.too_many_tags', 'Filter by at most 50 tags.');
      const scope = scopeHash(owner, filter);
      const after = cursor ? cursors.decode(cursor, scope) : null;
      const { page, nextCursor } = cursors.page(await threads.search(app.db, { ...owner, ...filter }, after, limit + 1), limit, scope);
      return { threads: page, nextCursor, totalEstimate: nextCursor ? limit + 1 : page.length };
    },
  );

  app.get('/api/threads/tags', { config: member, schema: { response: { 200: TagListResponse } } }, async (request) => ({
    tags: await threads.listTags(app.db, ownerOf(request)),
  }));

  app.post<{ Body: Static<typeof TagCreateBody> }>(
    '/api/threads/tags',
    { config: member, schema: { body: TagCreateBody, response: { 201: TagResponse } } },
    async (request, reply) => {
      const owner = ownerOf(request);
      const name = request.body.name.trim();
      const tag = await tagWrite(async (tx) => {
        const created = await threads.insertTag(tx, owner, {
          tagId: newId('tag'),
          name,
          color: request.body.color ?? null,
          now: new Date().toISOString(),
        });
        await app.audit.record(tx, request.principal, {
          action: 'thread_tag.created',
          targetType: 'thread_tag',
          targetId: created.tagId,
          metadata: { name },
        });
        return created;
      });
      return reply.status(201).send({ tag });
    },
  );

  app.patch<{ Params: Static<typeof TagParams>; Body: Static<typeof TagUpdateBody> }>(
    '/api/threads/tags/:tagId',
    { config: member, schema: { params: TagParams, body: TagUpdateBody, response: { 200: TagResponse } } },
    async (request) => {
      const owner = ownerOf(request);
      const tag = await tagWrite(async (tx) => {
        const existing = await threads.getTag(tx, owner, request.params.tagId, true);
        if (!existing) throw tagNotFound();
        const name = request.body.name?.trim() ?? existing.name;
        const color = request.body.color === undefined ? existing.color : request.body.color;
        if (name === existing.name && color === existing.color) return existing;
        const updated = await threads.updateTag(tx, existing.tagId, { name, color, now: new Date().toISOString() });
        await app.audit.record(tx, request.principal, {
          action: 'thread_tag.updated',
          targetType: 'thread_tag',
          targetId: existing.tagId,
          metadata: { name, color },
        });
        return updated;
      });
      return { tag };
    },
  );

  app.delete<{ Params: Static<typeof TagParams> }>(
    '/api/threads/tags/:tagId',
    { config: member, schema: { params: TagParams, response: { 200: DeletedResponse } } },
    async (request) => {
      const deleted = await app.db.transaction(async (tx) => {
        const removed = await threads.deleteTag(tx, ownerOf(request), request.params.tagId);
        if (removed)
          await app.audit.record(tx, request.principal, {
            action: 'thread_tag.deleted',
            targetType: 'thread_tag',
            targetId: request.params.tagId,
          });
        return removed;
      });
      return { deleted };
    },
  );

  // apply/remove: all the sessions or none (404 when any is unknown or another user's).
  for (const action of ['apply', 'remove'] as const) {
    app.post<{ Params: Static<typeof TagParams>; Body: Static<typeof TagAssignmentBody> }>(
      `/api/threads/tags/:tagId/${action}`,
      { config: member, schema: { params: TagParams, body: TagAssignmentBody, response: { 200: OkResponse } } },
      async (request) => {
        const owner = ownerOf(request);
        const sessionIds = [...new Set(request.body.sessionIds)];
        await app.db.transaction(async (tx) => {
          const tag = await threads.getTag(tx, owner, request.params.tagId, true);
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
          await app.audit.record(tx, request.principal, {
            action: action === 'apply' ? 'thread_tag.applied' : 'thread_tag.removed',
            targetType: 'thread_tag',
            targetId: tag.tagId,
            metadata: { sessionIds: sessionIds.slice(0, 50), count: sessionIds.length },
          });
        });
        return { ok: true as const };
      },
    );
  }

  app.get('/api/threads/smart-filters', { config: member, schema: { response: { 200: FilterListResponse } } }, async (request) => ({
    filters: await threads.listFilters(app.db, ownerOf(request)),
  }));

  app.post<{ Body: Static<typeof FilterCreateBody> }>(
    '/api/threads/smart-filters',
    { config: member, schema: { body: FilterCreateBody, response: { 201: FilterResponse } } },
    async (request, reply) => {
      checkQuerySize(request.body.query);
      const filter = await app.db.transaction(async (tx) => {
        const created = await threads.insertFilter(tx, ownerOf(request), {
          filterId: newId('tflt'),
          name: request.body.name.trim(),
          query: request.body.query,
          now: new Date().toISOString(),
        });
        await app.audit.record(tx, request.principal, {
          action: 'thread_filter.created',
          targetType: 'thread_filter',
          targetId: created.filterId,
          metadata: { name: created.name },
        });
        return created;
      });
      return reply.status(201).send({ filter });
    },
  );

  app.patch<{ Params: Static<typeof FilterParams>; Body: Static<typeof FilterUpdateBody> }>(
    '/api/threads/smart-filters/:id',
    { config: member, schema: { params: FilterParams, body: FilterUpdateBody, response: { 200: FilterResponse } } },
    async (request) => {
      if (request.body.query) checkQuerySize(request.body.query);
      const filter = await app.db.transaction(async (tx) => {
        const existing = await threads.getFilter(tx, ownerOf(request), request.params.id, true);
        if (!existing) throw filterNotFound();
        if (request.body.name === undefined && request.body.query === undefined) return existing;
        const updated = await threads.updateFilter(tx, existing.filterId, {
          name: request.body.name?.trim() ?? existing.name,
          query: request.body.query ?? existing.query,
          now: new Date().toISOString(),
        });
        await app.audit.record(tx, request.principal, {
          action: 'thread_filter.updated',
          targetType: 'thread_filter',
          targetId: existing.filterId,
          metadata: { name: updated.name },
        });
        return updated;
      });
      return { filter };
    },
  );

  app.delete<{ Params: Static<typeof FilterParams> }>(
    '/api/threads/smart-filters/:id',
    { config: member, schema: { params: FilterParams, response: { 200: DeletedResponse } } },
    async (request) => {
      const deleted = await app.db.transaction(async (tx) => {
        const removed = await threads.deleteFilter(tx, ownerOf(request), request.params.id);
        if (removed)
          await app.audit.record(tx, request.principal, {
            action: 'thread_filter.deleted',
            targetType: 'thread_filter',
            targetId: request.params.id,
          });
        return removed;
      });
      return { deleted };
    },
  );
}
