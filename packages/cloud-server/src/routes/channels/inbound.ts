import { channels as channelsSchemas } from '@open-cowork/shared/schemas';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { idempotencyKey, sendIdempotent } from '../../idempotency.js';

const { ClaimEventBody, CompleteEventBody, CreateInteractionBody, EventParams, ResolveInteractionBody, Responses } = channelsSchemas;

/** Inbound traffic of a gateway: exactly-once provider-event claims, and one-time interaction tokens. */
export async function channelInboundRoutes(app: FastifyInstance) {
  const { inbound } = app.channels;
  // Mutating channel routes run the Idempotency-Key in their service's transaction, with the
  // stored response: the generic plugin stays out.
  const member = { access: 'member' as const, idempotency: 'handled' as const };

  // ---------------------------------------------------------------- provider events
  app.post<{ Body: Static<typeof ClaimEventBody> }>(
    '/api/channels/provider-events/claim',
    { config: member, schema: { body: ClaimEventBody, response: { 200: Responses.claim } } },
    async (request, reply) => sendIdempotent(reply, await inbound.claimEvent(request.principal, request.body, idempotencyKey(request))),
  );

  app.post<{ Params: Static<typeof EventParams>; Body: Static<typeof CompleteEventBody> }>(
    '/api/channels/provider-events/:eventId/complete',
    { config: member, schema: { params: EventParams, body: CompleteEventBody, response: { 200: Responses.event } } },
    async (request, reply) =>
      sendIdempotent(reply, await inbound.completeEvent(request.principal, request.params.eventId, request.body, idempotencyKey(request))),
  );

  // ---------------------------------------------------------------- interactions
  app.post<{ Body: Static<typeof CreateInteractionBody> }>(
    '/api/channels/interactions',
    { config: member, schema: { body: CreateInteractionBody, response: { 201: Responses.interactionCreated } } },
    async (request, reply) =>
      sendIdempotent(reply, await inbound.createInteraction(request.principal, request.body, idempotencyKey(request))),
  );

  app.post<{ Body: Static<typeof ResolveInteractionBody> }>(
    '/api/channels/interactions/resolve',
    { config: member, schema: { body: ResolveInteractionBody, response: { 202: Responses.interactionResolved } } },
    async (request, reply) =>
      sendIdempotent(reply, await inbound.resolveInteraction(request.principal, request.body, idempotencyKey(request))),
  );
}
