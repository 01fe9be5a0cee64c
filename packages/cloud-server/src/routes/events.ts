import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { httpError } from '../errors.js';

const SessionParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
// `after` is read leniently by the stream (non-integers mean 0), so it is not validated here.
const StreamQuery = Type.Object({ after: Type.Optional(Type.String({ maxLength: 32 })) });

/**
 * The session and workspace event streams. Authorisation and
 * the session lookup finish before any 200, so failures are ordinary JSON errors.
 */
export async function eventRoutes(app: FastifyInstance) {
  const member = { access: 'member' as const };
  const { eventsStore, eventBus, streams } = app;

  app.get(
    '/api/sessions/:id/events',
    { config: member, schema: { params: SessionParams, querystring: StreamQuery } },
    async (request, reply) => {
      const { id } = request.params as Static<typeof SessionParams>;
      const { principal } = request;
      if (!(await app.sessionsStore.get(app.db, principal.tenantId, principal.userId, id))) {
        throw httpError('sessions.not_found', 'Cloud session was not found.');
      }
      await streams.serve(request, reply, principal, {
        key: `session:${id}`,
        read: (after, limit) => eventsStore.listSessionEvents(app.db, id, after, limit),
        bounds: () => eventsStore.sessionBounds(app.db, id),
        subscribe: (wake) => eventBus.onSession(id, (notice, events) => wake(notice?.sessionSequence, events)),
        scope: { entityType: 'session', entityId: id, sessionId: id },
      });
    },
  );

  app.get('/api/events', { config: member, schema: { querystring: StreamQuery } }, async (request, reply) => {
    const { tenantId, userId } = request.principal;
    await streams.serve(request, reply, request.principal, {
      key: `workspace:${tenantId}:${userId}`,
      read: (after, limit) => eventsStore.listWorkspaceEvents(app.db, tenantId, userId, after, limit),
      bounds: () => eventsStore.workspaceBounds(app.db, tenantId, userId),
      subscribe: (wake) => eventBus.onWorkspace(tenantId, userId, (notice) => wake(notice?.workspaceSequence)),
      scope: { entityType: 'workspace', entityId: userId },
    });
  });
}
