import { threads as threadsSchemas } from '@open-cowork/shared/schemas';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

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

/** Threads: the caller's sessions as a searchable list, with their own tags and smart filters (`app.threads`). */
export async function threadRoutes(app: FastifyInstance) {
  const { threads } = app;
  const member = { access: 'member' as const };

  app.get<{ Querystring: Static<typeof ThreadSearchQuery> }>(
    '/api/threads',
    { config: member, schema: { querystring: ThreadSearchQuery, response: { 200: ThreadSearchResponse } } },
    async (request) => threads.search(request.principal, request.query),
  );

  app.get('/api/threads/tags', { config: member, schema: { response: { 200: TagListResponse } } }, async (request) =>
    threads.listTags(request.principal),
  );

  app.post<{ Body: Static<typeof TagCreateBody> }>(
    '/api/threads/tags',
    { config: member, schema: { body: TagCreateBody, response: { 201: TagResponse } } },
    async (request, reply) => reply.status(201).send(await threads.createTag(request.principal, request.body)),
  );

  app.patch<{ Params: Static<typeof TagParams>; Body: Static<typeof TagUpdateBody> }>(
    '/api/threads/tags/:tagId',
    { config: member, schema: { params: TagParams, body: TagUpdateBody, response: { 200: TagResponse } } },
    async (request) => threads.updateTag(request.principal, request.params.tagId, request.body),
  );

  app.delete<{ Params: Static<typeof TagParams> }>(
    '/api/threads/tags/:tagId',
    { config: member, schema: { params: TagParams, response: { 200: DeletedResponse } } },
    async (request) => threads.deleteTag(request.principal, request.params.tagId),
  );

  const assignments = { apply: threads.applyTag, remove: threads.removeTag };
  for (const [action, assign] of Object.entries(assignments)) {
    app.post<{ Params: Static<typeof TagParams>; Body: Static<typeof TagAssignmentBody> }>(
      `/api/threads/tags/:tagId/${action}`,
      { config: member, schema: { params: TagParams, body: TagAssignmentBody, response: { 200: OkResponse } } },
      async (request) => assign(request.principal, request.params.tagId, request.body.sessionIds),
    );
  }

  app.get('/api/threads/smart-filters', { config: member, schema: { response: { 200: FilterListResponse } } }, async (request) =>
    threads.listFilters(request.principal),
  );

  app.post<{ Body: Static<typeof FilterCreateBody> }>(
    '/api/threads/smart-filters',
    { config: member, schema: { body: FilterCreateBody, response: { 201: FilterResponse } } },
    async (request, reply) => reply.status(201).send(await threads.createFilter(request.principal, request.body)),
  );

  app.patch<{ Params: Static<typeof FilterParams>; Body: Static<typeof FilterUpdateBody> }>(
    '/api/threads/smart-filters/:id',
    { config: member, schema: { params: FilterParams, body: FilterUpdateBody, response: { 200: FilterResponse } } },
    async (request) => threads.updateFilter(request.principal, request.params.id, request.body),
  );

  app.delete<{ Params: Static<typeof FilterParams> }>(
    '/api/threads/smart-filters/:id',
    { config: member, schema: { params: FilterParams, response: { 200: DeletedResponse } } },
    async (request) => threads.deleteFilter(request.principal, request.params.id),
  );
}
