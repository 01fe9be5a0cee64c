import { channels as channelsSchemas, common as commonSchemas } from '@open-cowork/shared/schemas';
import type { ChannelDeliveryRecord } from '@open-cowork/shared';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { httpError } from '../../errors.js';
import { sanitiseObject } from '../../services/channels.js';
import { USAGE_EVENT_TYPES } from '../../services/usage.js';

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

const publicDelivery = (delivery: ChannelDeliveryRecord): ChannelDeliveryRecord => ({
  ...delivery,
  target: sanitiseObject(delivery.target),
  payload: sanitiseObject(delivery.payload),
});

/**
 * The outbound delivery queue: create, list, the claiming stream,
 * and the lease actions (ack, renew) and operator actions (retry, dead-letter).
 */
export async function channelDeliveryRoutes(app: FastifyInstance) {
  const { channels } = app;
  const { streams, deliveryService } = channels;
  // Mutating channel routes run under `channels.respond`, which stores the Idempotency-Key
  // response atomically: the generic plugin stays out.
  const member = { access: 'member' as const, idempotency: 'handled' as const };

  /** The lease holder an action speaks for: body, then `?claimedBy`, then the token, then the user. */
  const claimerOf = (request: FastifyRequest, bodyClaimedBy: string | undefined) =>
    bodyClaimedBy ?? (request.query as Static<typeof AckQuery>).claimedBy ?? request.principal.tokenId ?? request.principal.userId;

  const matchOf = (request: FastifyRequest<{ Params: Static<typeof IdParams> }>, channelBindingId: string | undefined) => {
    channels.requireGatewayOrAdmin(request.principal);
    if (channelBindingId) channels.assertGranted(request.principal, channelBindingId);
    return { orgId: request.principal.orgId, deliveryId: request.params.id, channelBindingId, scope: channels.scopeOf(request.principal) };
  };

  app.post<{ Body: Static<typeof CreateDeliveryBody> }>(
    '/api/channels/deliveries',
    { config: member, schema: { body: CreateDeliveryBody, response: { 200: Responses.delivery, 201: Responses.delivery } } },
    (request, reply) =>
      channels.respond(request, reply, async (tx) => {
        channels.requireGatewayOrAdmin(request.principal);
        const { delivery, created } = await deliveryService.create(tx, request.principal, request.body);
        return { status: created ? 201 : 200, body: { delivery } };
      }),
  );

  app.get<{ Querystring: Static<typeof DeliveriesQuery> }>(
    '/api/channels/deliveries',
    { config: member, schema: { querystring: DeliveriesQuery, response: { 200: Responses.deliveries } } },
    async (request) => {
      const { principal, query } = request;
      channels.requireGatewayOrAdmin(principal);
      if (query.channelBindingId) channels.assertGranted(principal, query.channelBindingId);
      const found = await channels.deliveries.list(app.db, {
        ...query,
        orgId: principal.orgId,
        scope: channels.scopeOf(principal),
        limit: query.limit ?? 50,
      });
      return { deliveries: found.map(publicDelivery) };
    },
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
    async (request, reply) => {
      const { principal, query } = request;
      // Claiming is a gateway's act: a GET that a page could trigger with a cookie alone must not claim.
      if (principal.authSource === 'cookie') {
        throw httpError(
          'channels.stream_cookie_refused',
          'The delivery stream claims deliveries: call it with a gateway or admin token, not a cookie.',
        );
      }
      channels.requireGatewayOrAdmin(principal);
      const requested = query.channelBindingId === undefined ? null : [query.channelBindingId].flat();
      // Every requested binding is checked before the 200, so a refusal is an ordinary JSON error.
      for (const bindingId of requested ?? []) channels.assertGranted(principal, bindingId);
      const claimedBy = query.claimedBy ?? principal.tokenId ?? principal.userId;
      await streams.serve(request, reply, {
        orgId: principal.orgId,
        userId: principal.userId,
        scope: requested ?? channels.scopeOf(principal),
        claimedBy,
        lastClaimedBy: principal.channelBindingIds && principal.tokenId ? principal.tokenId : claimedBy,
        ttlMs: streams.clampTtl(query.ttlMs),
        prefetch: query.prefetch,
        // The hourly delivery quota: a whole batch if it fits, else one at a time until it is used up (429).
        beforeClaim: async (capacity) => {
          try {
            await app.usage.enforceQuota(app.db, principal.orgId, 'gateway_deliveries:hour', capacity);
            return capacity;
          } catch (error) {
            if (capacity === 1) throw error;
            await app.usage.enforceQuota(app.db, principal.orgId, 'gateway_deliveries:hour', 1);
            return 1;
          }
        },
        onClaim: async (delivery) => {
          await app.usage.record(app.db, {
            orgId: principal.orgId,
            accountId: principal.accountId,
            eventType: USAGE_EVENT_TYPES.gatewayDelivery,
            quantity: 1,
            unit: 'count',
            metadata: { deliveryId: delivery.deliveryId, channelBindingId: delivery.channelBindingId, claimedBy },
          });
        },
      });
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof AckBody>; Querystring: Static<typeof AckQuery> }>(
    '/api/channels/deliveries/:id/ack',
    { config: member, schema: { params: IdParams, body: AckBody, querystring: AckQuery, response: { 200: Responses.delivery } } },
    (request, reply) =>
      channels.respond(request, reply, async (tx) => {
        const { body } = request;
        const match = { ...matchOf(request, body.channelBindingId), claimedBy: claimerOf(request, body.claimedBy) };
        return { status: 200, body: { delivery: await deliveryService.ack(tx, request.principal, match, body) } };
      }),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof RenewBody> }>(
    '/api/channels/deliveries/:id/renew',
    { config: member, schema: { params: IdParams, body: RenewBody, response: { 200: Responses.delivery } } },
    (request, reply) =>
      channels.respond(request, reply, async (tx) => {
        const { body } = request;
        const match = { ...matchOf(request, body.channelBindingId), claimedBy: body.claimedBy };
        const delivery = await deliveryService.renew(tx, request.principal, match, streams.clampTtl(body.ttlMs));
        return { status: 200, body: { delivery } };
      }),
  );

  /** Retry and dead-letter: operator actions on one delivery. */
  const operatorAction = (verb: 'retry' | 'dead-letter', schema: typeof RetryBody | typeof DeadLetterBody) =>
    app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof DeadLetterBody> }>(
      `/api/channels/deliveries/:id/${verb}`,
      { config: member, schema: { params: IdParams, body: schema, response: { 200: Responses.delivery } } },
      (request, reply) =>
        channels.respond(request, reply, async (tx) => {
          const match = matchOf(request, request.body.channelBindingId);
          const delivery = await deliveryService.operate(tx, request.principal, match, verb, request.body.lastError);
          return { status: 200, body: { delivery } };
        }),
    );
  operatorAction('retry', RetryBody);
  operatorAction('dead-letter', DeadLetterBody);
}
