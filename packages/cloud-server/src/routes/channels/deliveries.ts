import type { ChannelDeliveryRecord } from '@open-cowork/shared';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { httpError } from '../../errors.js';
import { newId } from '../../ids.js';
import {
  AckBody,
  AckQuery,
  CreateDeliveryBody,
  DeadLetterBody,
  DeliveriesQuery,
  DeliveryStreamQuery,
  IdParams,
  RenewBody,
  Responses,
  RetryBody,
} from '../../schemas/channels.js';
import { requireSameProvider, sanitiseObject } from '../../services/channels.js';
import { USAGE_EVENT_TYPES } from '../../services/usage.js';

/** `target` and `payload` are each capped at 16 KiB of JSON. */
const MAX_JSON_BYTES = 16 * 1024;
const DEFAULT_DEAD_LETTER_ERROR = 'Manually dead-lettered by gateway operator.';

const publicDelivery = (delivery: ChannelDeliveryRecord): ChannelDeliveryRecord => ({
  ...delivery,
  target: sanitiseObject(delivery.target),
  payload: sanitiseObject(delivery.payload),
});

const notFound = () => httpError(404, 'channels.delivery_not_found', 'Channel delivery was not found (or is not held by claimedBy).');

/**
 * The outbound delivery queue: create, list, the claiming stream,
 * and the lease actions (ack, renew) and operator actions (retry, dead-letter).
 */
export async function channelDeliveryRoutes(app: FastifyInstance) {
  const { channels } = app;
  const { streams } = channels;
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
        const { principal, body } = request;
        channels.requireGatewayOrAdmin(principal);
        for (const field of ['target', 'payload'] as const) {
          if (Buffer.byteLength(JSON.stringify(body[field])) > MAX_JSON_BYTES) {
            throw httpError(413, 'channels.delivery_too_large', `${field} must be at most 16 KiB of JSON.`);
          }
        }
        const binding = await channels.binding(tx, principal, body.channelBindingId);
        if (binding.agentId !== body.agentId) throw httpError(400, 'channels.agent_mismatch', 'agentId does not own this channel binding.');
        requireSameProvider(binding, body.provider, 'channel binding');
        if (binding.status !== 'active') throw httpError(409, 'channels.binding_inactive', `The channel binding is ${binding.status}.`);
        if (body.sessionBindingId) {
          const sessionBinding = await channels.store.getSessionBinding(tx, principal.orgId, body.sessionBindingId);
          if (!sessionBinding || sessionBinding.channelBindingId !== binding.bindingId) {
            throw httpError(403, 'channels.session_binding_mismatch', 'The session binding does not belong to this channel binding.');
          }
        }
        const { delivery, created } = await channels.deliveries.create(tx, {
          orgId: principal.orgId,
          channelBindingId: binding.bindingId,
          deliveryId: body.deliveryId ?? newId('dlv'),
          agentId: body.agentId,
          sessionBindingId: body.sessionBindingId ?? null,
          provider: body.provider,
          target: body.target,
          eventType: body.eventType,
          payload: body.payload,
          status: body.status ?? 'pending',
          nextAttemptAt: body.nextAttemptAt ?? null,
        });
        if (!created) return { status: 200, body: { delivery } };
        await channels.audit(tx, principal, {
          action: 'channel_delivery.created',
          targetType: 'channel_delivery',
          targetId: delivery.deliveryId,
          metadata: { channelBindingId: delivery.channelBindingId, eventType: delivery.eventType, status: delivery.status },
        });
        await streams.notify(tx, principal.orgId);
        return { status: 201, body: { delivery } };
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
    { config: member, schema: { querystring: DeliveryStreamQuery } },
    async (request, reply) => {
      const { principal, query } = request;
      // Claiming is a gateway's act: a GET that a page could trigger with a cookie alone must not claim.
      if (principal.authSource === 'cookie') {
        throw httpError(
          403,
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
        const claimedBy = claimerOf(request, body.claimedBy);
        const match = { ...matchOf(request, body.channelBindingId), claimedBy };
        const lastError = body.status === 'sent' ? null : (body.lastError ?? null);
        const acked = await channels.deliveries.ack(
          tx,
          match,
          { status: body.status, lastError, nextAttemptAt: body.nextAttemptAt ?? null },
          streams.settings,
        );
        if (acked.length !== 1) throw notFound();
        const delivery = acked[0]!;
        await channels.audit(tx, request.principal, {
          action: `channel_delivery.acked_${body.status}`,
          targetType: 'channel_delivery',
          targetId: delivery.deliveryId,
          metadata: { channelBindingId: delivery.channelBindingId, claimedBy, attemptCount: delivery.attemptCount },
        });
        // A slot of the claimer's stream is free (and a `failed` delivery may be due again).
        await streams.notify(tx, request.principal.orgId);
        return { status: 200, body: { delivery } };
      }),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof RenewBody> }>(
    '/api/channels/deliveries/:id/renew',
    { config: member, schema: { params: IdParams, body: RenewBody, response: { 200: Responses.delivery } } },
    (request, reply) =>
      channels.respond(request, reply, async (tx) => {
        const { body } = request;
        const match = { ...matchOf(request, body.channelBindingId), claimedBy: body.claimedBy };
        const ttlMs = streams.clampTtl(body.ttlMs);
        const delivery = await channels.deliveries.renew(tx, match, ttlMs);
        if (!delivery) {
          if ((await channels.deliveries.find(tx, match)).length === 0) throw notFound();
          throw httpError(409, 'channels.delivery_lease_not_held', 'The lease of this delivery is not held by claimedBy.');
        }
        // One renewal covers every lease the gateway holds, not only the one it is working on.
        await channels.deliveries.renewHeld(tx, match, ttlMs);
        await channels.audit(tx, request.principal, {
          action: 'channel_delivery.lease_renewed',
          targetType: 'channel_delivery',
          targetId: delivery.deliveryId,
          metadata: { claimedBy: body.claimedBy, claimExpiresAt: delivery.claimExpiresAt },
        });
        return { status: 200, body: { delivery } };
      }),
  );

  /** Retry and dead-letter: operator actions on one delivery, refused when it was sent or is leased. */
  const operatorAction = (verb: 'retry' | 'dead-letter', schema: typeof RetryBody | typeof DeadLetterBody) =>
    app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof DeadLetterBody> }>(
      `/api/channels/deliveries/:id/${verb}`,
      { config: member, schema: { params: IdParams, body: schema, response: { 200: Responses.delivery } } },
      (request, reply) =>
        channels.respond(request, reply, async (tx) => {
          const match = matchOf(request, request.body.channelBindingId);
          const found = await channels.deliveries.find(tx, match);
          if (found.length === 0) throw notFound();
          if (found.length > 1)
            throw httpError(
              409,
              'channels.delivery_ambiguous',
              'Several channel bindings have a delivery with this id: give channelBindingId.',
            );
          const current = (await channels.deliveries.lock(tx, found[0]!))!;
          if (current.status === 'sent') throw httpError(409, 'channels.delivery_already_sent', 'This delivery was already sent.');
          if (verb === 'retry' && current.leaseLive) {
            throw httpError(409, 'channels.delivery_claimed', 'This delivery is leased to a gateway; retry it once the lease has ended.');
          }
          const delivery =
            verb === 'retry'
              ? await channels.deliveries.setOperatorStatus(tx, current, 'failed', null)
              : await channels.deliveries.setOperatorStatus(tx, current, 'dead', request.body.lastError ?? DEFAULT_DEAD_LETTER_ERROR);
          await channels.audit(tx, request.principal, {
            action: verb === 'retry' ? 'channel_delivery.retried' : 'channel_delivery.dead_lettered',
            targetType: 'channel_delivery',
            targetId: delivery.deliveryId,
            metadata: { channelBindingId: delivery.channelBindingId, previousStatus: current.status },
          });
          if (verb === 'retry') await streams.notify(tx, request.principal.orgId);
          return { status: 200, body: { delivery } };
        }),
    );
  operatorAction('retry', RetryBody);
  operatorAction('dead-letter', DeadLetterBody);
}
