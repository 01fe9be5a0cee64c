import { Type } from '@sinclair/typebox';
import { literals, Nullable, Obj } from './common.js';

/**
 * The records the channel routes answer with, and their response bodies. The records are the `@open-cowork/shared` types; these schemas describe them for
 * serialisation and OpenAPI.
 */

export const AgentStatus = literals(['active', 'disabled'] as const);
export const BindingStatus = literals(['active', 'disabled', 'auth_required', 'error'] as const);
export const IdentityRole = literals(['owner', 'admin', 'member', 'approver', 'viewer'] as const);
export const IdentityStatus = literals(['active', 'disabled', 'pending'] as const);
export const DeliveryStatus = literals(['pending', 'claimed', 'sent', 'failed', 'dead'] as const);

// ------------------------------------------------------------------ records

const HeadlessAgentSchema = Type.Object({
  agentId: Type.String(),
  orgId: Type.String(),
  tenantId: Type.String(),
  profileName: Type.String(),
  name: Type.String(),
  status: AgentStatus,
  managed: Type.Boolean(),
  createdByAccountId: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const ChannelBindingSchema = Type.Object({
  bindingId: Type.String(),
  orgId: Type.String(),
  agentId: Type.String(),
  provider: Type.String(),
  externalWorkspaceId: Nullable(Type.String()),
  displayName: Type.String(),
  status: BindingStatus,
  credentialRefConfigured: Type.Boolean(),
  credentialRefKind: Nullable(literals(['env', 'gcp-secret-manager', 'aws-secrets-manager', 'azure-key-vault', 'secret-ref'] as const)),
  settings: Obj(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const ChannelIdentitySchema = Type.Object({
  identityId: Type.String(),
  orgId: Type.String(),
  provider: Type.String(),
  externalWorkspaceId: Nullable(Type.String()),
  externalUserId: Type.String(),
  accountId: Nullable(Type.String()),
  role: IdentityRole,
  status: IdentityStatus,
  metadata: Obj(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const ChannelSessionBindingSchema = Type.Object({
  bindingId: Type.String(),
  orgId: Type.String(),
  agentId: Type.String(),
  channelBindingId: Type.String(),
  provider: Type.String(),
  externalWorkspaceId: Nullable(Type.String()),
  externalThreadId: Type.String(),
  externalChatId: Type.String(),
  sessionId: Type.String(),
  lastEventSequence: Type.Integer(),
  lastWorkspaceSequence: Type.Integer(),
  lastChatMessageId: Nullable(Type.String()),
  status: literals(['active', 'archived'] as const),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const ChannelInteractionSchema = Type.Object({
  interactionId: Type.String(),
  orgId: Type.String(),
  agentId: Type.String(),
  channelBindingId: Type.String(),
  sessionBindingId: Type.String(),
  sessionId: Type.String(),
  provider: Type.String(),
  externalInteractionId: Nullable(Type.String()),
  kind: literals(['permission', 'question'] as const),
  targetId: Type.String(),
  status: literals(['pending', 'used', 'expired', 'revoked'] as const),
  createdByIdentityId: Nullable(Type.String()),
  expiresAt: Nullable(Type.String()),
  usedAt: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const ProviderEventSchema = Type.Object({
  eventId: Type.String(),
  orgId: Type.String(),
  channelBindingId: Nullable(Type.String()),
  provider: Type.String(),
  providerInstanceId: Type.String(),
  externalWorkspaceId: Nullable(Type.String()),
  providerEventId: Type.String(),
  eventType: literals(['message', 'command', 'interaction'] as const),
  status: literals(['received', 'processing', 'processed', 'failed'] as const),
  claimedBy: Nullable(Type.String()),
  claimExpiresAt: Nullable(Type.String()),
  attemptCount: Type.Integer(),
  retryable: Type.Boolean(),
  lastError: Nullable(Type.String()),
  metadata: Obj(),
  processedAt: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const ChannelDeliverySchema = Type.Object({
  deliveryId: Type.String(),
  orgId: Type.String(),
  agentId: Type.String(),
  channelBindingId: Type.String(),
  sessionBindingId: Nullable(Type.String()),
  provider: Type.String(),
  target: Obj(),
  eventType: Type.String(),
  payload: Obj(),
  status: DeliveryStatus,
  attemptCount: Type.Integer(),
  claimedBy: Nullable(Type.String()),
  lastClaimedBy: Nullable(Type.String()),
  claimExpiresAt: Nullable(Type.String()),
  nextAttemptAt: Type.String(),
  lastError: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const ProviderSummarySchema = Type.Object({
  id: Type.String(),
  provider: Type.String(),
  label: Type.String(),
  available: Type.Boolean(),
  connected: Type.Boolean(),
  bindingCount: Type.Integer(),
  activeBindingCount: Type.Integer(),
  status: literals(['connected', 'available'] as const),
});

/** A session view, a command response: defined by the sessions domain; described loosely here. */
const SessionView = Obj('CloudSessionView');
const CommandResponse = {
  command: Nullable(Obj('SessionCommandRecord')),
  processed: Type.Integer(),
  view: SessionView,
  projectionFence: Nullable(Obj('FenceToken')),
};

// ------------------------------------------------------------------ responses

export const Responses = {
  providers: Type.Object({ providers: Type.Array(ProviderSummarySchema) }),
  agents: Type.Object({ agents: Type.Array(HeadlessAgentSchema) }),
  agent: Type.Object({ agent: HeadlessAgentSchema }),
  bindings: Type.Object({ bindings: Type.Array(ChannelBindingSchema) }),
  binding: Type.Object({ binding: ChannelBindingSchema }),
  identities: Type.Object({ identities: Type.Array(ChannelIdentitySchema) }),
  identity: Type.Object({ identity: ChannelIdentitySchema }),
  sessionBinding: Type.Object({ binding: ChannelSessionBindingSchema, session: SessionView }),
  sessionView: SessionView,
  artifact: Type.Object({
    artifact: Type.Object({ contentType: Type.String(), dataBase64: Type.String() }, { additionalProperties: true }),
  }),
  prompt: Type.Object({ binding: ChannelSessionBindingSchema, ...CommandResponse }),
  cursor: Type.Object({
    binding: ChannelSessionBindingSchema,
    result: Type.Object({ ok: Type.Boolean(), reason: Type.Optional(literals(['stale'] as const)), binding: ChannelSessionBindingSchema }),
  }),
  claim: Type.Object({ event: ProviderEventSchema, claimed: Type.Boolean(), duplicate: Type.Boolean() }),
  event: Type.Object({ event: ProviderEventSchema }),
  interactionCreated: Type.Object({ interaction: ChannelInteractionSchema, plaintextToken: Type.String() }),
  interactionResolved: Type.Object({
    interaction: ChannelInteractionSchema,
    processingError: Type.Optional(Type.String()),
    ...CommandResponse,
  }),
  delivery: Type.Object({ delivery: ChannelDeliverySchema }),
  deliveries: Type.Object({ deliveries: Type.Array(ChannelDeliverySchema) }),
};
