import { Type } from '@sinclair/typebox';
import { AgentStatus, BindingStatus, DeliveryStatus, IdentityRole, IdentityStatus } from './channel-records.js';
import { literals, Nullable, Obj } from './common.js';

/**
 * Request schemas of the channel routes: params, queries and bodies.
 */

// The record and response schemas are in `channel-records.ts`; they stay available from here.
export * from './channel-records.js';

/** Record ids: any non-blank text up to 256 characters (path segments are percent-decoded). */
const Id = Type.String({ minLength: 1, maxLength: 256, pattern: '^\\S(.*\\S)?$' });
/** Built-in provider or custom id with a '-' (checked again with `isChannelProviderId`). */
const Provider = Type.String({ pattern: '^[a-z][a-z0-9_-]{1,63}$' });
const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });
const Limit = (maximum: number) => Type.Integer({ minimum: 1, maximum });
const Timestamp = Type.String({ format: 'date-time' });
const Cursor = Type.Integer({ minimum: 0 });

// ------------------------------------------------------------------ params and queries

export const IdParams = Type.Object({ id: Id });
export const SessionBindingParams = Type.Object({ bindingId: Id });
export const ArtifactParams = Type.Object({ bindingId: Id, artifactId: Id });
export const EventParams = Type.Object({ eventId: Id });
export const ListQuery = (maximum: number) => Type.Object({ limit: Type.Optional(Limit(maximum)) });
export const BindingsQuery = Type.Object({ agentId: Type.Optional(Id), limit: Type.Optional(Limit(500)) });
export const IdentitiesQuery = Type.Object({
  provider: Type.Optional(Provider),
  externalWorkspaceId: Type.Optional(Text(256)),
  role: Type.Optional(IdentityRole),
  status: Type.Optional(IdentityStatus),
  limit: Type.Optional(Limit(500)),
});
export const ThreadQuery = Type.Object({
  provider: Provider,
  externalWorkspaceId: Type.Optional(Text(256)),
  externalChatId: Text(256),
  externalThreadId: Text(256),
});
export const StreamQuery = Type.Object({ after: Type.Optional(Type.String({ maxLength: 32 })) });
export const DeliveriesQuery = Type.Object({
  deliveryId: Type.Optional(Id),
  status: Type.Optional(DeliveryStatus),
  channelBindingId: Type.Optional(Id),
  limit: Type.Optional(Limit(200)),
});
export const DeliveryStreamQuery = Type.Object({
  claimedBy: Type.Optional(Text(256)),
  ttlMs: Type.Optional(Type.Integer({ minimum: 1 })),
  channelBindingId: Type.Optional(Type.Union([Id, Type.Array(Id, { maxItems: 100 })])),
  /** How many unacked leases this stream may hold at once (default: the server's prefetch setting). */
  prefetch: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
});

// ------------------------------------------------------------------ bodies

export const CreateAgentBody = Type.Object({
  name: Text(200),
  profileName: Type.Optional(Text(200)),
  status: Type.Optional(AgentStatus),
  managed: Type.Optional(Type.Boolean()),
  agentId: Type.Optional(Id),
});
export const UpdateAgentBody = Type.Object({
  name: Type.Optional(Text(200)),
  profileName: Type.Optional(Text(200)),
  status: Type.Optional(AgentStatus),
  managed: Type.Optional(Type.Boolean()),
});
export const CreateBindingBody = Type.Object({
  agentId: Id,
  provider: Provider,
  displayName: Text(200),
  externalWorkspaceId: Type.Optional(Text(256)),
  status: Type.Optional(BindingStatus),
  credentialRef: Type.Optional(Text(1024)),
  settings: Type.Optional(Obj()),
  bindingId: Type.Optional(Id),
});
export const UpdateBindingBody = Type.Object({
  displayName: Type.Optional(Text(200)),
  status: Type.Optional(BindingStatus),
  /** null clears the reference. */
  credentialRef: Type.Optional(Nullable(Text(1024))),
  settings: Type.Optional(Obj()),
});
export const ResolveIdentityBody = Type.Object({
  provider: Provider,
  externalUserId: Text(256),
  channelBindingId: Type.Optional(Id),
  externalWorkspaceId: Type.Optional(Text(256)),
  accountId: Type.Optional(Id),
  role: Type.Optional(IdentityRole),
  status: Type.Optional(IdentityStatus),
  metadata: Type.Optional(Obj()),
});
export const BindSessionBody = Type.Object({
  channelBindingId: Id,
  provider: Provider,
  externalChatId: Text(256),
  externalThreadId: Text(256),
  sessionId: Type.Optional(Id),
  title: Type.Optional(Text(512)),
  identityId: Type.Optional(Id),
  externalUserId: Type.Optional(Text(256)),
  externalWorkspaceId: Type.Optional(Text(256)),
  lastEventSequence: Type.Optional(Cursor),
  lastWorkspaceSequence: Type.Optional(Cursor),
  lastChatMessageId: Type.Optional(Text(256)),
});
/** Who wrote it in the chat (a prompt, an interaction answer): optional, and not checked against identities. */
const ChatOrigin = {
  identityId: Type.Optional(Id),
  provider: Type.Optional(Provider),
  externalWorkspaceId: Type.Optional(Text(256)),
  externalUserId: Type.Optional(Text(256)),
  externalChatId: Type.Optional(Text(256)),
};
export const PromptBody = Type.Object({
  bindingId: Id,
  text: Type.String({ minLength: 1, maxLength: 200_000, pattern: '\\S' }),
  agent: Type.Optional(Text(200)),
  idempotencyKey: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  ...ChatOrigin,
});
export const CursorBody = Type.Object({
  bindingId: Id,
  lastEventSequence: Cursor,
  lastWorkspaceSequence: Cursor,
  lastChatMessageId: Type.Optional(Text(256)),
});
export const ClaimEventBody = Type.Object({
  provider: Provider,
  providerInstanceId: Text(256),
  providerEventId: Text(256),
  eventType: literals(['message', 'command', 'interaction'] as const),
  claimedBy: Text(256),
  channelBindingId: Type.Optional(Id),
  externalWorkspaceId: Type.Optional(Text(256)),
  ttlMs: Type.Optional(Type.Integer({ minimum: 1 })),
  metadata: Type.Optional(Obj()),
});
export const CompleteEventBody = Type.Object({
  claimedBy: Text(256),
  status: literals(['processed', 'failed'] as const),
  channelBindingId: Type.Optional(Id),
  retryable: Type.Optional(Type.Boolean()),
  lastError: Type.Optional(Type.String({ maxLength: 4096 })),
});
export const CreateInteractionBody = Type.Object({
  agentId: Id,
  sessionBindingId: Id,
  sessionId: Id,
  provider: Provider,
  kind: literals(['permission', 'question'] as const),
  targetId: Id,
  externalInteractionId: Type.Optional(Text(256)),
  expiresAt: Type.Optional(Timestamp),
  interactionId: Type.Optional(Id),
  /** A caller-chosen token (≥ 16 characters); the server generates one when absent. */
  tokenSecret: Type.Optional(Type.String({ minLength: 16, maxLength: 256 })),
});
export const ResolveInteractionBody = Type.Object({
  token: Type.Optional(Text(256)),
  externalInteractionId: Type.Optional(Text(256)),
  response: Type.Optional(Type.Unknown()),
  answers: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 100 })),
  reject: Type.Optional(Type.Boolean()),
  ...ChatOrigin,
});
export const CreateDeliveryBody = Type.Object({
  agentId: Id,
  channelBindingId: Id,
  provider: Provider,
  target: Obj(),
  eventType: Text(200),
  payload: Obj(),
  sessionBindingId: Type.Optional(Id),
  deliveryId: Type.Optional(Id),
  nextAttemptAt: Type.Optional(Timestamp),
  status: Type.Optional(literals(['pending', 'failed', 'dead'] as const)),
});
export const AckBody = Type.Object({
  status: literals(['sent', 'failed', 'dead'] as const),
  claimedBy: Type.Optional(Text(256)),
  channelBindingId: Type.Optional(Id),
  lastError: Type.Optional(Nullable(Type.String({ maxLength: 4096 }))),
  nextAttemptAt: Type.Optional(Timestamp),
});
export const AckQuery = Type.Object({ claimedBy: Type.Optional(Text(256)) });
export const RenewBody = Type.Object({
  claimedBy: Text(256),
  ttlMs: Type.Optional(Type.Integer({ minimum: 1 })),
  channelBindingId: Type.Optional(Id),
});
export const RetryBody = Type.Object({ channelBindingId: Type.Optional(Id) });
export const DeadLetterBody = Type.Object({
  channelBindingId: Type.Optional(Id),
  lastError: Type.Optional(Type.String({ maxLength: 4096 })),
});
