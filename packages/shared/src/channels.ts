/**
 * The gateway / headless-agent plane: channel records, method inputs and responses
 *.
 */
import type { CloudSessionCommandResponse, CloudSessionView } from './session.js';

/** Providers every server knows. */
export const BUILT_IN_CHANNEL_PROVIDERS = ['telegram', 'slack', 'email', 'discord', 'whatsapp', 'signal', 'webhook', 'cli'] as const;

export type BuiltInChannelProvider = (typeof BUILT_IN_CHANNEL_PROVIDERS)[number];

/** A built-in provider or a custom id (see `isChannelProviderId`). */
export type ChannelProviderId = BuiltInChannelProvider | (string & {});

// The mandatory '-' keeps custom ids from shadowing a built-in provider added later.
const CUSTOM_PROVIDER_ID = /^[a-z][a-z0-9_-]{1,63}$/;

/** True for a built-in provider, or a custom id matching `^[a-z][a-z0-9_-]{1,63}$` that contains `-`. */
export function isChannelProviderId(value: unknown): value is ChannelProviderId {
  if (typeof value !== 'string') return false;
  if ((BUILT_IN_CHANNEL_PROVIDERS as readonly string[]).includes(value)) return true;
  return CUSTOM_PROVIDER_ID.test(value) && value.includes('-');
}

// ---------------------------------------------------------------- records

/** One entry of `listChannelProviders`. */
export interface ChannelProviderSummary {
  id: string;
  provider: ChannelProviderId;
  label: string;
  available: boolean;
  connected: boolean;
  bindingCount: number;
  activeBindingCount: number;
  status: 'connected' | 'available';
}

export type HeadlessAgentStatus = 'active' | 'disabled';

/** An agent that answers in channels without a desktop. */
export interface HeadlessAgent {
  agentId: string;
  orgId: string;
  tenantId: string;
  profileName: string;
  name: string;
  status: HeadlessAgentStatus;
  managed: boolean;
  createdByAccountId: string | null;
  createdAt: string;
  updatedAt: string;
}

export type ChannelBindingStatus = 'active' | 'disabled' | 'auth_required' | 'error';

/** Where a binding's credential is stored; the raw reference is never returned. */
export type ChannelCredentialRefKind = 'env' | 'gcp-secret-manager' | 'aws-secrets-manager' | 'azure-key-vault' | 'secret-ref';

/** A headless agent connected to one provider workspace (a Slack team, a Telegram bot, …). */
export interface ChannelBinding {
  bindingId: string;
  orgId: string;
  agentId: string;
  provider: ChannelProviderId;
  externalWorkspaceId: string | null;
  displayName: string;
  status: ChannelBindingStatus;
  credentialRefConfigured: boolean;
  credentialRefKind: ChannelCredentialRefKind | null;
  settings: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export type ChannelIdentityRole = 'owner' | 'admin' | 'member' | 'approver' | 'viewer';
export type ChannelIdentityStatus = 'active' | 'disabled' | 'pending';

/** A provider user, optionally linked to a cloud account. */
export interface ChannelIdentity {
  identityId: string;
  orgId: string;
  provider: ChannelProviderId;
  externalWorkspaceId: string | null;
  externalUserId: string;
  accountId: string | null;
  role: ChannelIdentityRole;
  status: ChannelIdentityStatus;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export type ChannelSessionBindingStatus = 'active' | 'archived';

/** A chat thread bound to a cloud session, with the gateway's read cursors. */
export interface ChannelSessionBinding {
  bindingId: string;
  orgId: string;
  agentId: string;
  channelBindingId: string;
  provider: ChannelProviderId;
  externalWorkspaceId: string | null;
  externalThreadId: string;
  externalChatId: string;
  sessionId: string;
  lastEventSequence: number;
  lastWorkspaceSequence: number;
  lastChatMessageId: string | null;
  status: ChannelSessionBindingStatus;
  createdAt: string;
  updatedAt: string;
}

export type ChannelInteractionKind = 'permission' | 'question';
export type ChannelInteractionStatus = 'pending' | 'used' | 'expired' | 'revoked';

/** A one-time approval/answer button sent to a chat. The token hash is never exposed. */
export interface ChannelInteraction {
  interactionId: string;
  orgId: string;
  agentId: string;
  channelBindingId: string;
  sessionBindingId: string;
  sessionId: string;
  provider: ChannelProviderId;
  externalInteractionId: string | null;
  kind: ChannelInteractionKind;
  /** The permission id or question request id it answers. */
  targetId: string;
  status: ChannelInteractionStatus;
  createdByIdentityId: string | null;
  expiresAt: string | null;
  usedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export type ProviderEventType = 'message' | 'command' | 'interaction';
export type ProviderEventStatus = 'received' | 'processing' | 'processed' | 'failed';

/** An inbound provider event, claimed once so replicas of a gateway do not handle it twice. */
export interface ProviderEvent {
  eventId: string;
  orgId: string;
  channelBindingId: string | null;
  provider: ChannelProviderId;
  providerInstanceId: string;
  externalWorkspaceId: string | null;
  providerEventId: string;
  eventType: ProviderEventType;
  status: ProviderEventStatus;
  claimedBy: string | null;
  claimExpiresAt: string | null;
  attemptCount: number;
  retryable: boolean;
  lastError: string | null;
  metadata: Record<string, unknown>;
  processedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export type ChannelDeliveryStatus = 'pending' | 'claimed' | 'sent' | 'failed' | 'dead';

/** An outbound message for a gateway to send. */
export interface ChannelDeliveryRecord {
  deliveryId: string;
  orgId: string;
  agentId: string;
  channelBindingId: string;
  sessionBindingId: string | null;
  provider: ChannelProviderId;
  /** Provider-specific address; ≤16 KiB. */
  target: Record<string, unknown>;
  eventType: string;
  /** ≤16 KiB. */
  payload: Record<string, unknown>;
  status: ChannelDeliveryStatus;
  attemptCount: number;
  /** Current lease holder. */
  claimedBy: string | null;
  lastClaimedBy: string | null;
  /** When the current lease ends and the delivery becomes claimable again. */
  claimExpiresAt: string | null;
  nextAttemptAt: string;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

// ---------------------------------------------------------------- inputs and responses

export interface CreateHeadlessAgentInput {
  name: string;
  profileName?: string;
  status?: HeadlessAgentStatus;
  managed?: boolean;
  /** Caller-chosen id; 409 when taken. */
  agentId?: string;
}

export interface UpdateHeadlessAgentInput {
  name?: string;
  profileName?: string;
  status?: HeadlessAgentStatus;
  managed?: boolean;
}

export interface CreateChannelBindingInput {
  agentId: string;
  provider: ChannelProviderId;
  displayName: string;
  externalWorkspaceId?: string;
  status?: ChannelBindingStatus;
  /** Reference to a stored secret, e.g. `env:SLACK_TOKEN`; never the secret itself. */
  credentialRef?: string;
  settings?: Record<string, unknown>;
  bindingId?: string;
}

export interface UpdateChannelBindingInput {
  displayName?: string;
  status?: ChannelBindingStatus;
  credentialRef?: string;
  settings?: Record<string, unknown>;
}

export interface ListChannelIdentitiesInput {
  provider?: ChannelProviderId;
  externalWorkspaceId?: string;
  role?: ChannelIdentityRole;
  status?: ChannelIdentityStatus;
  limit?: number;
}

export interface ResolveChannelIdentityInput {
  provider: ChannelProviderId;
  externalUserId: string;
  channelBindingId?: string;
  externalWorkspaceId?: string;
  accountId?: string;
  role?: ChannelIdentityRole;
  status?: ChannelIdentityStatus;
  metadata?: Record<string, unknown>;
}

export interface BindChannelSessionInput {
  channelBindingId: string;
  provider: ChannelProviderId;
  externalChatId: string;
  externalThreadId: string;
  /** Bind to an existing session; a new one is created when absent. */
  sessionId?: string;
  title?: string;
  identityId?: string;
  externalUserId?: string;
  externalWorkspaceId?: string;
  lastEventSequence?: number;
  lastWorkspaceSequence?: number;
  lastChatMessageId?: string;
}

/** Body of `bindChannelSession` and `getChannelSessionByThread`. */
export interface ChannelSessionBindingResult {
  binding: ChannelSessionBinding;
  session: CloudSessionView;
}

export interface ChannelSessionThreadQuery {
  provider: ChannelProviderId;
  externalWorkspaceId?: string;
  externalChatId: string;
  externalThreadId: string;
}

export interface PromptChannelSessionInput {
  /** The channel session binding id. */
  bindingId: string;
  text: string;
  agent?: string;
  /** Same key and same text return the first command instead of a new one. */
  idempotencyKey?: string;
  identityId?: string;
  provider?: ChannelProviderId;
  externalWorkspaceId?: string;
  externalUserId?: string;
  externalChatId?: string;
}

/** 202 body of `promptChannelSession`. */
export interface PromptChannelSessionResponse extends CloudSessionCommandResponse {
  binding: ChannelSessionBinding;
}

export interface ClaimProviderEventInput {
  provider: ChannelProviderId;
  providerInstanceId: string;
  providerEventId: string;
  eventType: ProviderEventType;
  claimedBy: string;
  channelBindingId?: string;
  externalWorkspaceId?: string;
  /** Default 5 min, clamped to ≤1 h. */
  ttlMs?: number;
  metadata?: Record<string, unknown>;
}

/** `claimed:false, duplicate:true` means another holder has it or it was already processed. */
export interface ClaimProviderEventResult {
  event: ProviderEvent;
  claimed: boolean;
  duplicate: boolean;
}

export interface CompleteProviderEventInput {
  /** Must equal the `claimedBy` of the claim. */
  claimedBy: string;
  status: 'processed' | 'failed';
  channelBindingId?: string;
  retryable?: boolean;
  lastError?: string;
}

export interface ChannelCursorUpdateInput {
  /** The channel session binding id. */
  bindingId: string;
  lastEventSequence: number;
  lastWorkspaceSequence: number;
  lastChatMessageId?: string;
}

/** Cursors only move forward: an older cursor is refused as `stale`. */
export type ChannelCursorUpdateResult =
  | { ok: true; binding: ChannelSessionBinding }
  | { ok: false; reason: 'stale' | 'not_found'; binding?: ChannelSessionBinding };

/** Wire body of `POST /api/channels/cursor`. */
export interface ChannelCursorUpdateResponse {
  binding: ChannelSessionBinding;
  result: ChannelCursorUpdateResult;
}

export interface CreateChannelInteractionInput {
  agentId: string;
  sessionBindingId: string;
  sessionId: string;
  provider: ChannelProviderId;
  kind: ChannelInteractionKind;
  targetId: string;
  externalInteractionId?: string;
  expiresAt?: string;
  interactionId?: string;
  /** Caller-chosen token; the server generates one when absent. */
  tokenSecret?: string;
}

/** 201 body of `createChannelInteraction`; `plaintextToken` is shown once. */
export interface CreateChannelInteractionResult {
  interaction: ChannelInteraction;
  plaintextToken: string;
}

/** Identify the interaction by `token` or `externalInteractionId`. */
export interface ResolveChannelInteractionInput {
  token?: string;
  externalInteractionId?: string;
  /** Permission answer (see `PermissionResponseInput.response`). */
  response?: unknown;
  /** Question answers. */
  answers?: unknown[];
  /** Reject the question. */
  reject?: boolean;
  identityId?: string;
  provider?: ChannelProviderId;
  externalWorkspaceId?: string;
  externalUserId?: string;
  externalChatId?: string;
}

/** 202 body of `resolveChannelInteraction`. */
export interface ResolveChannelInteractionResponse extends CloudSessionCommandResponse {
  interaction: ChannelInteraction;
  /** Set when the interaction was consumed but the resulting command failed. */
  processingError?: string;
}

export interface CreateChannelDeliveryInput {
  agentId: string;
  channelBindingId: string;
  provider: ChannelProviderId;
  target: Record<string, unknown>;
  eventType: string;
  payload: Record<string, unknown>;
  sessionBindingId?: string;
  /** Idempotency key per org + binding: a repeat returns the existing delivery. */
  deliveryId?: string;
  nextAttemptAt?: string;
  status?: ChannelDeliveryStatus;
}

export interface AckChannelDeliveryInput {
  status: 'sent' | 'failed' | 'dead';
  /**
   * Required: the server matches acks on the lease holder, and defaults it to the token id, so a
   * consumer that claimed under a custom name and left it out would get a 404.
   */
  claimedBy: string;
  channelBindingId?: string;
  lastError?: string | null;
  /** When a `failed` delivery becomes claimable again; default now. */
  nextAttemptAt?: string;
}

/** Extends the lease of a claimed delivery so a slow send is not re-claimed. */
export interface RenewChannelDeliveryLeaseInput {
  claimedBy: string;
  ttlMs?: number;
  channelBindingId?: string;
}

export interface ListChannelDeliveriesInput {
  deliveryId?: string;
  status?: ChannelDeliveryStatus;
  channelBindingId?: string;
  /** Default 50, max 200. */
  limit?: number;
}

export interface RetryChannelDeliveryInput {
  channelBindingId?: string;
}

export interface DeadLetterChannelDeliveryInput {
  channelBindingId?: string;
  lastError?: string;
}

/** Query of the delivery stream `/api/channels/deliveries/stream`. */
export interface ChannelDeliveriesStreamQuery {
  /** Lease holder name; echo it on ack. */
  claimedBy?: string;
  /** Lease length; default 30 000. */
  ttlMs?: number;
  channelBindingIds?: string[];
  /** How many unacked leases the stream may hold at once (1–100); default: the server's setting (2). */
  prefetch?: number;
}

/** `data:` of an `event: channel.delivery` frame. */
export interface ChannelDeliveryStreamFrame {
  delivery: ChannelDeliveryRecord;
}

/** `data:` of an `event: error` frame on the delivery stream; the stream stays open. */
export interface ChannelDeliveryStreamErrorFrame {
  error: string;
}
