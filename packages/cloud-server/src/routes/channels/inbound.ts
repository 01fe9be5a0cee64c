import { channels as channelsSchemas } from '@open-cowork/shared/schemas';
import { createHash } from 'node:crypto';
import type { CloudSessionCommandResponse, SessionCommandKind } from '@open-cowork/shared';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { httpError, isHttpError } from '../../errors.js';
import { newId, newSecret } from '../../ids.js';
import { checkProvider, requireSameProvider } from '../../services/channels.js';
import { publicInteraction } from '../../store/channel-inbound.js';

const { ClaimEventBody, CompleteEventBody, CreateInteractionBody, EventParams, ResolveInteractionBody, Responses } = channelsSchemas;

const PROVIDER_EVENT_TTL = { default: 5 * 60_000, min: 100, max: 60 * 60_000 };
const INTERACTION_DEFAULT_TTL_MS = 24 * 60 * 60_000;
const INTERACTION_TOKEN_PREFIX = 'ocit_';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Inbound traffic of a gateway: exactly-once provider-event claims, and one-time interaction tokens. */
export async function channelInboundRoutes(app: FastifyInstance) {
  const { channels } = app;
  // Mutating channel routes run under `channels.respond`, which stores the Idempotency-Key
  // response atomically: the generic plugin stays out.
  const member = { access: 'member' as const, idempotency: 'handled' as const };

  // ---------------------------------------------------------------- provider events
  app.post<{ Body: Static<typeof ClaimEventBody> }>(
    '/api/channels/provider-events/claim',
    { config: member, schema: { body: ClaimEventBody, response: { 200: Responses.claim } } },
    (request, reply) =>
      channels.respond(request, reply, async (tx) => {
        const { principal, body } = request;
        channels.requireGatewayOrAdmin(principal);
        checkProvider(body.provider);
        if (body.channelBindingId) {
          await channels.bindingFor(tx, principal, body.channelBindingId, body.provider);
        } else if (channels.scopeOf(principal)) {
          throw httpError(
            'channels.binding_required',
            'A gateway token claims provider events of one of its channel bindings: give channelBindingId.',
          );
        }
        const ttlMs = Math.min(PROVIDER_EVENT_TTL.max, Math.max(PROVIDER_EVENT_TTL.min, body.ttlMs ?? PROVIDER_EVENT_TTL.default));
        const { event, claimed } = await channels.inbound.claimProviderEvent(
          tx,
          {
            orgId: principal.orgId,
            channelBindingId: body.channelBindingId ?? null,
            provider: body.provider,
            providerInstanceId: body.providerInstanceId,
            externalWorkspaceId: body.externalWorkspaceId ?? null,
            eventType: body.eventType,
            providerEventId: body.providerEventId,
          },
          { eventId: newId('cpe'), claimedBy: body.claimedBy, ttlMs, metadata: body.metadata ?? {} },
        );
        if (claimed) {
          await channels.audit(tx, principal, {
            action: 'channel_provider_event.claimed',
            targetType: 'channel_provider_event',
            targetId: event.eventId,
            metadata: { claimedBy: body.claimedBy, attemptCount: event.attemptCount },
          });
        }
        return { status: 200, body: { event, claimed, duplicate: !claimed } };
      }),
  );

  app.post<{ Params: Static<typeof EventParams>; Body: Static<typeof CompleteEventBody> }>(
    '/api/channels/provider-events/:eventId/complete',
    { config: member, schema: { params: EventParams, body: CompleteEventBody, response: { 200: Responses.event } } },
    (request, reply) =>
      channels.respond(request, reply, async (tx) => {
        const { principal, body } = request;
        channels.requireGatewayOrAdmin(principal);
        if (body.channelBindingId) channels.assertGranted(principal, body.channelBindingId);
        const event = await channels.inbound.completeProviderEvent(tx, principal.orgId, request.params.eventId, {
          ...body,
          scope: channels.scopeOf(principal),
        });
        if (!event) throw httpError('channels.provider_event_not_held', 'No claim of this provider event is held by claimedBy.');
        await channels.audit(tx, principal, {
          action: `channel_provider_event.${body.status}`,
          targetType: 'channel_provider_event',
          targetId: event.eventId,
          metadata: { claimedBy: body.claimedBy, retryable: event.retryable },
        });
        return { status: 200, body: { event } };
      }),
  );

  // ---------------------------------------------------------------- interactions
  app.post<{ Body: Static<typeof CreateInteractionBody> }>(
    '/api/channels/interactions',
    { config: member, schema: { body: CreateInteractionBody, response: { 201: Responses.interactionCreated } } },
    (request, reply) =>
      // The token is shown once: a replay under the same Idempotency-Key cannot show it again.
      channels.respond(request, reply, async (tx) => {
        const { principal, body } = request;
        channels.requireGatewayOrAdmin(principal);
        checkProvider(body.provider);
        const binding = await channels.sessionBinding(tx, principal, body.sessionBindingId);
        if (binding.agentId !== body.agentId) throw httpError('channels.agent_mismatch', 'agentId does not match the session binding.');
        if (binding.sessionId !== body.sessionId)
          throw httpError('channels.session_mismatch', 'sessionId does not match the session binding.');
        requireSameProvider(binding, body.provider, 'session binding');
        const expiresAt = body.expiresAt ?? new Date(Date.now() + INTERACTION_DEFAULT_TTL_MS).toISOString();
        if (Date.parse(expiresAt) <= Date.now()) throw httpError('channels.expires_at_past', 'expiresAt must be in the future.');
        const plaintextToken = body.tokenSecret ?? `${INTERACTION_TOKEN_PREFIX}${newSecret()}`;
        const interaction = await channels.inbound.insertInteraction(tx, {
          interactionId: body.interactionId ?? newId('cin'),
          orgId: principal.orgId,
          agentId: binding.agentId,
          channelBindingId: binding.channelBindingId,
          sessionBindingId: binding.bindingId,
          sessionId: binding.sessionId,
          provider: binding.provider,
          externalInteractionId: body.externalInteractionId ?? null,
          kind: body.kind,
          targetId: body.targetId,
          createdByIdentityId: null,
          expiresAt,
          tokenHash: hashToken(plaintextToken),
        });
        if (!interaction) {
          throw httpError('channels.interaction_id_unavailable', 'An interaction with this id, external id or token already exists.');
        }
        await channels.audit(tx, principal, {
          action: 'channel_interaction.created',
          targetType: 'channel_interaction',
          targetId: interaction.interactionId,
          metadata: { kind: interaction.kind, targetId: interaction.targetId, sessionId: interaction.sessionId },
        });
        return { status: 201, body: { interaction: publicInteraction(interaction), plaintextToken } };
      }),
  );

  app.post<{ Body: Static<typeof ResolveInteractionBody> }>(
    '/api/channels/interactions/resolve',
    { config: member, schema: { body: ResolveInteractionBody, response: { 202: Responses.interactionResolved } } },
    (request, reply) =>
      channels.respond(request, reply, async (tx) => {
        const { principal, body } = request;
        channels.requireGatewayOrAdmin(principal);
        if (!body.token && !body.externalInteractionId) {
          throw httpError('channels.interaction_reference_required', 'Give the interaction token or its externalInteractionId.');
        }
        const found = await channels.inbound.lockInteraction(
          tx,
          principal.orgId,
          body.token ? { tokenHash: hashToken(body.token) } : { externalInteractionId: body.externalInteractionId! },
        );
        if (!found) throw httpError('channels.interaction_not_found', 'Channel interaction was not found.');
        channels.assertGranted(principal, found.channelBindingId);
        if (found.status === 'used') throw httpError('channels.interaction_used', 'This interaction was already used.');
        if (found.status === 'revoked') throw httpError('channels.interaction_revoked', 'This interaction was revoked.');
        if (found.status === 'expired' || found.expired) throw httpError('channels.interaction_expired', 'This interaction has expired.');

        let kind: SessionCommandKind;
        let payload: Record<string, unknown>;
        if (found.kind === 'permission') {
          if (body.response === undefined)
            throw httpError('channels.interaction_response_required', 'A permission interaction needs a response.');
          kind = 'permission.respond';
          payload = { permissionId: found.targetId, response: body.response };
        } else if (body.reject === true) {
          kind = 'question.reject';
          payload = { requestId: found.targetId };
        } else {
          if (!body.answers)
            throw httpError('channels.interaction_answers_required', 'A question interaction needs answers (or reject: true).');
          kind = 'question.reply';
          payload = { requestId: found.targetId, answers: body.answers };
        }

        const binding = await channels.store.getSessionBinding(tx, principal.orgId, found.sessionBindingId);
        const owner = { tenantId: principal.tenantId, userId: binding!.ownerUserId, tokenId: principal.tokenId };
        let commandResponse: CloudSessionCommandResponse | undefined;
        let processingError: string | undefined;
        try {
          commandResponse = (await app.commands.execute(owner, { sessionId: found.sessionId, kind, payload }, tx)).body;
        } catch (error) {
          // The token is spent either way (e.g. the request was already answered from Desktop).
          if (!isHttpError(error) || error.statusCode >= 500) throw error;
          processingError = error.message;
        }
        const interaction = publicInteraction(await channels.inbound.setInteractionStatus(tx, found.interactionId, 'used'));
        await channels.audit(tx, principal, {
          action: 'channel_interaction.resolved',
          targetType: 'channel_interaction',
          targetId: interaction.interactionId,
          metadata: { kind, commandId: commandResponse?.command.commandId ?? null, ...(processingError ? { processingError } : {}) },
        });
        if (commandResponse) return { status: 202, body: { interaction, ...commandResponse } };
        const view = await app.stores.sessions.view(tx, owner.tenantId, owner.userId, found.sessionId);
        return { status: 202, body: { interaction, processingError, command: null, processed: 0, view, projectionFence: null } };
      }),
  );
}
