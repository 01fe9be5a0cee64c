import { createHash } from 'node:crypto';
import type {
  ClaimProviderEventInput,
  CloudSessionCommandResponse,
  CompleteProviderEventInput,
  CreateChannelInteractionInput,
  ResolveChannelInteractionInput,
  ResolveChannelInteractionResponse,
  SessionCommandKind,
} from '@open-cowork/shared';
import type { Principal } from '../auth/principal.js';
import { httpError, isHttpError } from '../errors.js';
import type { IdempotentKey, IdempotentRunner } from '../idempotency.js';
import { newId, newSecret } from '../ids.js';
import { publicInteraction } from '../store/channel-inbound.js';
import type { Stores } from '../store/stores.js';
import { type ChannelAccess, checkProvider, requireSameProvider } from './channel-access.js';
import type { CommandService } from './commands.js';

const PROVIDER_EVENT_TTL = { default: 5 * 60_000, min: 100, max: 60 * 60_000 };
const INTERACTION_DEFAULT_TTL_MS = 24 * 60 * 60_000;
const INTERACTION_TOKEN_PREFIX = 'ocit_';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** The session command that answers an interaction, from the interaction's kind and the gateway's answer. */
function commandOf(
  interaction: { kind: string; targetId: string },
  answer: ResolveChannelInteractionInput,
): { kind: SessionCommandKind; payload: Record<string, unknown> } {
  if (interaction.kind === 'permission') {
    if (answer.response === undefined)
      throw httpError('channels.interaction_response_required', 'A permission interaction needs a response.');
    return { kind: 'permission.respond', payload: { permissionId: interaction.targetId, response: answer.response } };
  }
  if (answer.reject === true) return { kind: 'question.reject', payload: { requestId: interaction.targetId } };
  if (!answer.answers) throw httpError('channels.interaction_answers_required', 'A question interaction needs answers (or reject: true).');
  return { kind: 'question.reply', payload: { requestId: interaction.targetId, answers: answer.answers } };
}

/**
 * Inbound traffic of a gateway: exactly-once provider-event claims, and one-time interaction
 * tokens that answer a session's permission or question. Each action runs in its own transaction
 * under the caller's `Idempotency-Key` and records its audit event there.
 */
export function createChannelInboundService(deps: {
  idempotent: IdempotentRunner;
  inbound: Stores['channelInbound'];
  channels: Stores['channels'];
  sessions: Stores['sessions'];
  commands: CommandService;
  access: ChannelAccess;
}) {
  const { idempotent, inbound, channels, sessions, commands, access } = deps;

  return {
    /** Claims a provider event for `claimedBy` (under a lease); a duplicate answers `claimed: false`. */
    claimEvent: (principal: Principal, body: ClaimProviderEventInput, key: IdempotentKey | null) =>
      idempotent.transaction(key, async (tx) => {
        access.requireGatewayOrAdmin(principal);
        checkProvider(body.provider);
        if (body.channelBindingId) {
          await access.bindingFor(tx, principal, body.channelBindingId, body.provider);
        } else if (access.scopeOf(principal)) {
          throw httpError(
            'channels.binding_required',
            'A gateway token claims provider events of one of its channel bindings: give channelBindingId.',
          );
        }
        const ttlMs = Math.min(PROVIDER_EVENT_TTL.max, Math.max(PROVIDER_EVENT_TTL.min, body.ttlMs ?? PROVIDER_EVENT_TTL.default));
        const { event, claimed } = await inbound.claimProviderEvent(
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
          await access.audit(tx, principal, {
            action: 'channel_provider_event.claimed',
            targetType: 'channel_provider_event',
            targetId: event.eventId,
            metadata: { claimedBy: body.claimedBy, attemptCount: event.attemptCount },
          });
        }
        return { status: 200, body: { event, claimed, duplicate: !claimed } };
      }),

    /** Ends the claim `body.claimedBy` holds with the gateway's outcome. */
    completeEvent: (principal: Principal, eventId: string, body: CompleteProviderEventInput, key: IdempotentKey | null) =>
      idempotent.transaction(key, async (tx) => {
        access.requireGatewayOrAdmin(principal);
        if (body.channelBindingId) access.assertGranted(principal, body.channelBindingId);
        const event = await inbound.completeProviderEvent(tx, principal.orgId, eventId, { ...body, scope: access.scopeOf(principal) });
        if (!event) throw httpError('channels.provider_event_not_held', 'No claim of this provider event is held by claimedBy.');
        await access.audit(tx, principal, {
          action: `channel_provider_event.${body.status}`,
          targetType: 'channel_provider_event',
          targetId: event.eventId,
          metadata: { claimedBy: body.claimedBy, retryable: event.retryable },
        });
        return { status: 200, body: { event } };
      }),

    /**
     * An interaction of a bound session (a permission or question to answer from the chat) and its
     * one-time token. The token is shown once: a replay under the same Idempotency-Key cannot show it again.
     */
    createInteraction: (principal: Principal, body: CreateChannelInteractionInput, key: IdempotentKey | null) =>
      idempotent.transaction(key, async (tx) => {
        access.requireGatewayOrAdmin(principal);
        checkProvider(body.provider);
        const binding = await access.sessionBinding(tx, principal, body.sessionBindingId);
        if (binding.agentId !== body.agentId) throw httpError('channels.agent_mismatch', 'agentId does not match the session binding.');
        if (binding.sessionId !== body.sessionId)
          throw httpError('channels.session_mismatch', 'sessionId does not match the session binding.');
        requireSameProvider(binding, body.provider, 'session binding');
        const expiresAt = body.expiresAt ?? new Date(Date.now() + INTERACTION_DEFAULT_TTL_MS).toISOString();
        if (Date.parse(expiresAt) <= Date.now()) throw httpError('channels.expires_at_past', 'expiresAt must be in the future.');
        const plaintextToken = body.tokenSecret ?? `${INTERACTION_TOKEN_PREFIX}${newSecret()}`;
        const interaction = await inbound.insertInteraction(tx, {
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
        await access.audit(tx, principal, {
          action: 'channel_interaction.created',
          targetType: 'channel_interaction',
          targetId: interaction.interactionId,
          metadata: { kind: interaction.kind, targetId: interaction.targetId, sessionId: interaction.sessionId },
        });
        return { status: 201, body: { interaction: publicInteraction(interaction), plaintextToken } };
      }),

    /**
     * Spends an interaction's token on the session command it answers, run as the session's owner
     * in the same transaction. A refused command (e.g. already answered from Desktop) still spends
     * the token, and the answer says why in `processingError`.
     */
    resolveInteraction: (principal: Principal, body: ResolveChannelInteractionInput, key: IdempotentKey | null) =>
      idempotent.transaction<ResolveChannelInteractionResponse>(key, async (tx) => {
        access.requireGatewayOrAdmin(principal);
        if (!body.token && !body.externalInteractionId) {
          throw httpError('channels.interaction_reference_required', 'Give the interaction token or its externalInteractionId.');
        }
        const found = await inbound.lockInteraction(
          tx,
          principal.orgId,
          body.token ? { tokenHash: hashToken(body.token) } : { externalInteractionId: body.externalInteractionId! },
        );
        if (!found) throw httpError('channels.interaction_not_found', 'Channel interaction was not found.');
        access.assertGranted(principal, found.channelBindingId);
        if (found.status === 'used') throw httpError('channels.interaction_used', 'This interaction was already used.');
        if (found.status === 'revoked') throw httpError('channels.interaction_revoked', 'This interaction was revoked.');
        if (found.status === 'expired' || found.expired) throw httpError('channels.interaction_expired', 'This interaction has expired.');
        const { kind, payload } = commandOf(found, body);

        const binding = await channels.getSessionBinding(tx, principal.orgId, found.sessionBindingId);
        const owner = { tenantId: principal.tenantId, userId: binding!.ownerUserId, tokenId: principal.tokenId };
        let commandResponse: CloudSessionCommandResponse | undefined;
        let processingError: string | undefined;
        try {
          commandResponse = (await commands.execute(owner, { sessionId: found.sessionId, kind, payload }, tx)).body;
        } catch (error) {
          // The token is spent either way (e.g. the request was already answered from Desktop).
          if (!isHttpError(error) || error.statusCode >= 500) throw error;
          processingError = error.message;
        }
        const interaction = publicInteraction(await inbound.setInteractionStatus(tx, found.interactionId, 'used'));
        await access.audit(tx, principal, {
          action: 'channel_interaction.resolved',
          targetType: 'channel_interaction',
          targetId: interaction.interactionId,
          metadata: { kind, commandId: commandResponse?.command.commandId ?? null, ...(processingError ? { processingError } : {}) },
        });
        if (commandResponse) return { status: 202, body: { interaction, ...commandResponse } };
        // Sessions are never deleted, so the bound session is there to read.
        const view = (await sessions.view(tx, owner.tenantId, owner.userId, found.sessionId))!;
        return { status: 202, body: { interaction, processingError, command: null, processed: 0, view, projectionFence: null } };
      }),
  };
}

export type ChannelInboundService = ReturnType<typeof createChannelInboundService>;
