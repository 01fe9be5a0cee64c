import { common as commonSchemas, events as eventSchemas } from '@open-cowork/shared/schemas';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { httpError } from '../errors.js';

const { EventStreamParams: SessionParams, EventStreamQuery: StreamQuery, SessionStreamEvent, WorkspaceStreamEvent } = eventSchemas;
const { eventStream } = commonSchemas;

/**
 * The session and workspace event streams. Authorisation and
 * the session lookup finish before any 200, so failures are ordinary JSON errors.
 */
export async function eventRoutes(app: FastifyInstance) {
  const member = { access: 'member' as const };
  const { eventBus, streams } = app;
  const eventsStore = app.stores.events;

  app.get(
    '/api/sessions/:id/events',
    {
      config: member,
      schema: {
        params: SessionParams,
        querystring: StreamQuery,
        response: { 200: eventStream(SessionStreamEvent, 'The session events after `after` (or `Last-Event-ID`), then live.') },
      },
    },
    async (request, reply) => {
      const { id } = request.params as Static<typeof SessionParams>;
      const { principal } = request;
      if (!(await app.stores.sessions.get(app.db, principal.tenantId, principal.userId, id))) {
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

  const workspaceStream = {
    querystring: StreamQuery,
    response: { 200: eventStream(WorkspaceStreamEvent, "The caller's workspace events after `after`, then live.") },
  };
  app.get('/api/events', { config: member, schema: workspaceStream }, async (request, reply) => {
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
