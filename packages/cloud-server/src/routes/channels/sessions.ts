import { channels as channelsSchemas, common as commonSchemas, events as eventSchemas } from '@open-cowork/shared/schemas';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { idempotencyKey, idempotentKeyOf, sendIdempotent } from '../../idempotency.js';

const { ArtifactParams, BindSessionBody, CursorBody, PromptBody, Responses, SessionBindingParams, StreamQuery, ThreadQuery } =
  channelsSchemas;
const { eventStream } = commonSchemas;
const { SessionStreamEvent } = eventSchemas;

/** Chat threads bound to cloud sessions: bind, look up, read, stream, prompt, and the read cursor. */
export async function channelSessionRoutes(app: FastifyInstance) {
  const { sessions } = app.channels;
  // Mutating channel routes run the Idempotency-Key in their service's transaction (the prompt in
  // the command's), with the stored response: the generic plugin stays out.
  const member = { access: 'member' as const, idempotency: 'handled' as const };

  app.post<{ Body: Static<typeof BindSessionBody> }>(
    '/api/channels/sessions/bind',
    { config: member, schema: { body: BindSessionBody, response: { 200: Responses.sessionBinding } } },
    async (request, reply) => sendIdempotent(reply, await sessions.bind(request.principal, request.body, idempotencyKey(request))),
  );

  app.get<{ Querystring: Static<typeof ThreadQuery> }>(
    '/api/channels/sessions/by-thread',
    { config: member, schema: { querystring: ThreadQuery, response: { 200: Responses.sessionBinding } } },
    (request) => sessions.byThread(request.principal, request.query),
  );

  app.get<{ Params: Static<typeof SessionBindingParams> }>(
    '/api/channels/sessions/:bindingId/snapshot',
    { config: member, schema: { params: SessionBindingParams, response: { 200: Responses.sessionView } } },
    (request) => sessions.snapshot(request.principal, request.params.bindingId),
  );

  // The bound session's event stream, served exactly like `/api/sessions/:id/events`.
  app.get<{ Params: Static<typeof SessionBindingParams> }>(
    '/api/channels/sessions/:bindingId/events',
    {
      config: member,
      schema: {
        params: SessionBindingParams,
        querystring: StreamQuery,
        response: { 200: eventStream(SessionStreamEvent, 'The bound session events after `after`, then live.') },
      },
    },
    async (request, reply) => {
      const source = await sessions.eventSource(request.principal, request.params.bindingId);
      await app.streams.serve(request, reply, request.principal, source);
    },
  );

  app.get<{ Params: Static<typeof ArtifactParams> }>(
    '/api/channels/sessions/:bindingId/artifacts/:artifactId',
    { config: member, schema: { params: ArtifactParams, response: { 200: Responses.artifact } } },
    (request) => sessions.artifact(request.principal, request.params.bindingId, request.params.artifactId),
  );

  app.post<{ Body: Static<typeof PromptBody> }>(
    '/api/channels/sessions/prompt',
    { config: member, schema: { body: PromptBody, response: { 202: Responses.prompt } } },
    async (request, reply) => {
      // The key may come in the body instead of the header; the rest of the body is the request.
      const { idempotencyKey: bodyKey, ...prompt } = request.body;
      return sendIdempotent(reply, await sessions.prompt(request.principal, prompt, idempotentKeyOf(request, prompt, bodyKey)));
    },
  );

  app.post<{ Body: Static<typeof CursorBody> }>(
    '/api/channels/cursor',
    { config: member, schema: { body: CursorBody, response: { 200: Responses.cursor } } },
    async (request, reply) => sendIdempotent(reply, await sessions.cursor(request.principal, request.body, idempotencyKey(request))),
  );
}
