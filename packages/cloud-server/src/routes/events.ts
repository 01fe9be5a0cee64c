import { common as commonSchemas, events as eventSchemas } from '@open-cowork/shared/schemas';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

const { EventStreamParams: SessionParams, EventStreamQuery: StreamQuery, SessionStreamEvent, WorkspaceStreamEvent } = eventSchemas;
const { eventStream } = commonSchemas;

/**
 * The session and workspace event streams: what they read comes from `app.sessionEvents`, the
 * wake-ups from `app.eventBus`. Authorisation and the session lookup finish before any 200, so
 * failures are ordinary JSON errors.
 */
export async function eventRoutes(app: FastifyInstance) {
  const member = { access: 'member' as const };
  const { eventBus, sessionEvents, streams } = app;

  app.get<{ Params: Static<typeof SessionParams> }>(
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
      const { id } = request.params;
      const reader = await sessionEvents.sessionReader(request.principal, id);
      await streams.serve(request, reply, request.principal, {
        key: `session:${id}`,
        ...reader,
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
      ...sessionEvents.workspaceReader(request.principal),
      subscribe: (wake) => eventBus.onWorkspace(tenantId, userId, (notice) => wake(notice?.workspaceSequence)),
      scope: { entityType: 'workspace', entityId: userId },
    });
  });
}
