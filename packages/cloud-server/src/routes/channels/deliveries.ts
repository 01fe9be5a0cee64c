import { channels as channelsSchemas, common as commonSchemas } from '@open-cowork/shared/schemas';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { idempotencyKey, sendIdempotent } from '../../idempotency.js';

const {
  AckBody,
  AckQuery,
  CreateDeliveryBody,
  DeadLetterBody,
  DeliveriesQuery,
  DeliveryStreamFrame,
  DeliveryStreamQuery,
  IdParams,
  RenewBody,
  Responses,
  RetryBody,
} = channelsSchemas;
const { eventStream } = commonSchemas;

/**
 * The outbound delivery queue: create, list, the claiming stream,
 * and the lease actions (ack, renew) and operator actions (retry, dead-letter).
 */
export async function channelDeliveryRoutes(app: FastifyInstance) {
  const { deliveries } = app.channels;
  // Mutating channel routes run the Idempotency-Key in their service's transaction, with the
  // stored response: the generic plugin stays out.
  const member = { access: 'member' as const, idempotency: 'handled' as const };

  app.post<{ Body: Static<typeof CreateDeliveryBody> }>(
    '/api/channels/deliveries',
    { config: member, schema: { body: CreateDeliveryBody, response: { 200: Responses.delivery, 201: Responses.delivery } } },
    async (request, reply) => sendIdempotent(reply, await deliveries.create(request.principal, request.body, idempotencyKey(request))),
  );

  app.get<{ Querystring: Static<typeof DeliveriesQuery> }>(
    '/api/channels/deliveries',
    { config: member, schema: { querystring: DeliveriesQuery, response: { 200: Responses.deliveries } } },
    (request) => deliveries.list(request.principal, request.query),
  );

  app.get<{ Querystring: Static<typeof DeliveryStreamQuery> }>(
    '/api/channels/deliveries/stream',
    {
      config: member,
      schema: {
        querystring: DeliveryStreamQuery,
        response: { 200: eventStream(DeliveryStreamFrame, 'Deliveries claimed for the caller, each under a lease, as they become due.') },
      },
    },
    // The service checks the caller, then has the SSE engine answer this request with the stream.
    async (request, reply) => {
      await deliveries.stream(request.principal, request.query, (owner) => app.streams.engine.open(request, reply, owner));
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof AckBody>; Querystring: Static<typeof AckQuery> }>(
    '/api/channels/deliveries/:id/ack',
    { config: member, schema: { params: IdParams, body: AckBody, querystring: AckQuery, response: { 200: Responses.delivery } } },
    async (request, reply) => {
      const { body, query } = request;
      // The lease holder may be named in the body or, for gateways that ack with an empty body, in the query.
      const outcome = { ...body, claimedBy: body.claimedBy ?? query.claimedBy };
      return sendIdempotent(reply, await deliveries.ack(request.principal, request.params.id, outcome, idempotencyKey(request)));
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof RenewBody> }>(
    '/api/channels/deliveries/:id/renew',
    { config: member, schema: { params: IdParams, body: RenewBody, response: { 200: Responses.delivery } } },
    async (request, reply) =>
      sendIdempotent(reply, await deliveries.renew(request.principal, request.params.id, request.body, idempotencyKey(request))),
  );

  /** Retry and dead-letter: operator actions on one delivery. */
  const operatorAction = (verb: 'retry' | 'dead-letter', schema: typeof RetryBody | typeof DeadLetterBody) =>
    app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof DeadLetterBody> }>(
      `/api/channels/deliveries/:id/${verb}`,
      { config: member, schema: { params: IdParams, body: schema, response: { 200: Responses.delivery } } },
      async (request, reply) =>
        sendIdempotent(reply, await deliveries.operate(request.principal, request.params.id, verb, request.body, idempotencyKey(request))),
    );
  operatorAction('retry', RetryBody);
  operatorAction('dead-letter', DeadLetterBody);
}
