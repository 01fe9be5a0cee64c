import { Type } from '@sinclair/typebox';
import {
  CHANNEL_BINDING_STATUSES,
  CHANNEL_CREDENTIAL_REF_KINDS,
  CHANNEL_DELIVERY_STATUSES,
  CHANNEL_IDENTITY_ROLES,
  CHANNEL_IDENTITY_STATUSES,
  CHANNEL_INTERACTION_KINDS,
  CHANNEL_INTERACTION_STATUSES,
  CHANNEL_PROVIDER_STATUSES,
  CHANNEL_SESSION_BINDING_STATUSES,
  HEADLESS_AGENT_STATUSES,
  PROVIDER_EVENT_STATUSES,
  PROVIDER_EVENT_TYPES,
} from '../channels.js';
import { literals, Nullable, Obj } from './common.js';
import { SessionCommandRecord, SessionCommandResponse, SessionView } from './sessions.js';

/** The records the channel routes answer with, and their response bodies. */

export const AgentStatus = literals(HEADLESS_AGENT_STATUSES);
export const BindingStatus = literals(CHANNEL_BINDING_STATUSES);
export const IdentityRole = literals(CHANNEL_IDENTITY_ROLES);
export const IdentityStatus = literals(CHANNEL_IDENTITY_STATUSES);
export const DeliveryStatus = literals(CHANNEL_DELIVERY_STATUSES);

// ------------------------------------------------------------------ records

export const HeadlessAgentSchema = Type.Object({
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

export const ChannelBindingSchema = Type.Object({
  bindingId: Type.String(),
  orgId: Type.String(),
  agentId: Type.String(),
  provider: Type.String(),
  externalWorkspaceId: Nullable(Type.String()),
  displayName: Type.String(),
  status: BindingStatus,
  credentialRefConfigured: Type.Boolean(),
  credentialRefKind: Nullable(literals(CHANNEL_CREDENTIAL_REF_KINDS)),
  settings: Obj(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const ChannelIdentitySchema = Type.Object({
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

export const ChannelSessionBindingSchema = Type.Object({
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
  status: literals(CHANNEL_SESSION_BINDING_STATUSES),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const ChannelInteractionSchema = Type.Object({
  interactionId: Type.String(),
  orgId: Type.String(),
  agentId: Type.String(),
  channelBindingId: Type.String(),
  sessionBindingId: Type.String(),
  sessionId: Type.String(),
  provider: Type.String(),
  externalInteractionId: Nullable(Type.String()),
  kind: literals(CHANNEL_INTERACTION_KINDS),
  /** The permission id or question request id it answers. */
  targetId: Type.String(),
  status: literals(CHANNEL_INTERACTION_STATUSES),
  createdByIdentityId: Nullable(Type.String()),
  expiresAt: Nullable(Type.String()),
  usedAt: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const ProviderEventSchema = Type.Object({
  eventId: Type.String(),
  orgId: Type.String(),
  channelBindingId: Nullable(Type.String()),
  provider: Type.String(),
  providerInstanceId: Type.String(),
  externalWorkspaceId: Nullable(Type.String()),
  providerEventId: Type.String(),
  eventType: literals(PROVIDER_EVENT_TYPES),
  status: literals(PROVIDER_EVENT_STATUSES),
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
  /** Provider-specific address; ≤16 KiB. */
  target: Obj(),
  eventType: Type.String(),
  /** ≤16 KiB. */
  payload: Obj(),
  status: DeliveryStatus,
  attemptCount: Type.Integer(),
  /** Current lease holder. */
  claimedBy: Nullable(Type.String()),
  lastClaimedBy: Nullable(Type.String()),
  /** When the current lease ends and the delivery becomes claimable again. */
  claimExpiresAt: Nullable(Type.String()),
  nextAttemptAt: Type.String(),
  lastError: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const ProviderSummarySchema = Type.Object({
  id: Type.String(),
  provider: Type.String(),
  label: Type.String(),
  available: Type.Boolean(),
  connected: Type.Boolean(),
  bindingCount: Type.Integer(),
  activeBindingCount: Type.Integer(),
  status: literals(CHANNEL_PROVIDER_STATUSES),
});

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
  prompt: Type.Composite([Type.Object({ binding: ChannelSessionBindingSchema }), SessionCommandResponse]),
  /** Cursors only move forward: an older cursor is refused as `stale`. */
  cursor: Type.Object({
    binding: ChannelSessionBindingSchema,
    result: Type.Union([
      Type.Object({ ok: Type.Literal(true), binding: ChannelSessionBindingSchema }),
      Type.Object({
        ok: Type.Literal(false),
        reason: literals(['stale', 'not_found'] as const),
        binding: Type.Optional(ChannelSessionBindingSchema),
      }),
    ]),
  }),
  claim: Type.Object({ event: ProviderEventSchema, claimed: Type.Boolean(), duplicate: Type.Boolean() }),
  event: Type.Object({ event: ProviderEventSchema }),
  interactionCreated: Type.Object({ interaction: ChannelInteractionSchema, plaintextToken: Type.String() }),
  /** `command` is null, and `processingError` set, when the interaction was consumed but its command failed. */
  interactionResolved: Type.Object({
    interaction: ChannelInteractionSchema,
    processingError: Type.Optional(Type.String()),
    command: Nullable(SessionCommandRecord),
    processed: SessionCommandResponse.properties.processed,
    view: SessionView,
    projectionFence: SessionCommandResponse.properties.projectionFence,
  }),
  delivery: Type.Object({ delivery: ChannelDeliverySchema }),
  deliveries: Type.Object({ deliveries: Type.Array(ChannelDeliverySchema) }),
};

/**
 * `data:` of a frame of `GET /api/channels/deliveries/stream`: `event: channel.delivery` carries a
 * claimed delivery; `event: error` a failure that leaves the stream open.
 */
export const DeliveryStreamFrame = Type.Union([Responses.delivery, Type.Object({ error: Type.String() })]);
