/**
 * The gateway / headless-agent plane: channel records, method inputs and responses. Their schemas
 * are in `schemas/channels.ts` and `schemas/channel-records.ts`.
 */
import type { Static } from '@sinclair/typebox';
import type * as R from './schemas/channel-records.js';
import type * as S from './schemas/channels.js';

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

// ---------------------------------------------------------------- enums

export const HEADLESS_AGENT_STATUSES = ['active', 'disabled'] as const;
export type HeadlessAgentStatus = (typeof HEADLESS_AGENT_STATUSES)[number];
export const CHANNEL_BINDING_STATUSES = ['active', 'disabled', 'auth_required', 'error'] as const;
export type ChannelBindingStatus = (typeof CHANNEL_BINDING_STATUSES)[number];
/** Where a binding's credential is stored; the raw reference is never returned. */
export const CHANNEL_CREDENTIAL_REF_KINDS = ['env', 'gcp-secret-manager', 'aws-secrets-manager', 'azure-key-vault', 'secret-ref'] as const;
export type ChannelCredentialRefKind = (typeof CHANNEL_CREDENTIAL_REF_KINDS)[number];
export const CHANNEL_IDENTITY_ROLES = ['owner', 'admin', 'member', 'approver', 'viewer'] as const;
export type ChannelIdentityRole = (typeof CHANNEL_IDENTITY_ROLES)[number];
export const CHANNEL_IDENTITY_STATUSES = ['active', 'disabled', 'pending'] as const;
export type ChannelIdentityStatus = (typeof CHANNEL_IDENTITY_STATUSES)[number];
export const CHANNEL_SESSION_BINDING_STATUSES = ['active', 'archived'] as const;
export type ChannelSessionBindingStatus = (typeof CHANNEL_SESSION_BINDING_STATUSES)[number];
export const CHANNEL_INTERACTION_KINDS = ['permission', 'question'] as const;
export type ChannelInteractionKind = (typeof CHANNEL_INTERACTION_KINDS)[number];
export const CHANNEL_INTERACTION_STATUSES = ['pending', 'used', 'expired', 'revoked'] as const;
export type ChannelInteractionStatus = (typeof CHANNEL_INTERACTION_STATUSES)[number];
export const PROVIDER_EVENT_TYPES = ['message', 'command', 'interaction'] as const;
export type ProviderEventType = (typeof PROVIDER_EVENT_TYPES)[number];
export const PROVIDER_EVENT_STATUSES = ['received', 'processing', 'processed', 'failed'] as const;
export type ProviderEventStatus = (typeof PROVIDER_EVENT_STATUSES)[number];
/** How a claimed provider event ends. */
export const PROVIDER_EVENT_OUTCOMES = ['processed', 'failed'] as const;
export const CHANNEL_DELIVERY_STATUSES = ['pending', 'claimed', 'sent', 'failed', 'dead'] as const;
export type ChannelDeliveryStatus = (typeof CHANNEL_DELIVERY_STATUSES)[number];
/** The statuses a delivery can be created in. */
export const CHANNEL_DELIVERY_CREATE_STATUSES = ['pending', 'failed', 'dead'] as const;
/** The outcomes a gateway acks a claimed delivery with. */
export const CHANNEL_DELIVERY_ACK_STATUSES = ['sent', 'failed', 'dead'] as const;
export const CHANNEL_PROVIDER_STATUSES = ['connected', 'available'] as const;

// ---------------------------------------------------------------- records

/** One entry of `listChannelProviders`. */
export type ChannelProviderSummary = Static<typeof R.ProviderSummarySchema>;
/** An agent that answers in channels without a desktop. */
export type HeadlessAgent = Static<typeof R.HeadlessAgentSchema>;
/** A headless agent connected to one provider workspace (a Slack team, a Telegram bot, …). */
export type ChannelBinding = Static<typeof R.ChannelBindingSchema>;
/** A provider user, optionally linked to a cloud account. */
export type ChannelIdentity = Static<typeof R.ChannelIdentitySchema>;
/** A chat thread bound to a cloud session, with the gateway's read cursors. */
export type ChannelSessionBinding = Static<typeof R.ChannelSessionBindingSchema>;
/** A one-time approval/answer button sent to a chat. The token hash is never exposed. */
export type ChannelInteraction = Static<typeof R.ChannelInteractionSchema>;
/** An inbound provider event, claimed once so replicas of a gateway do not handle it twice. */
export type ProviderEvent = Static<typeof R.ProviderEventSchema>;
/** An outbound message for a gateway to send. */
export type ChannelDeliveryRecord = Static<typeof R.ChannelDeliverySchema>;

// ---------------------------------------------------------------- inputs and responses

export type CreateHeadlessAgentInput = Static<typeof S.CreateAgentBody>;
export type UpdateHeadlessAgentInput = Static<typeof S.UpdateAgentBody>;
export type CreateChannelBindingInput = Static<typeof S.CreateBindingBody>;
export type UpdateChannelBindingInput = Static<typeof S.UpdateBindingBody>;
export type ListChannelIdentitiesInput = Static<typeof S.IdentitiesQuery>;
export type ResolveChannelIdentityInput = Static<typeof S.ResolveIdentityBody>;
export type BindChannelSessionInput = Static<typeof S.BindSessionBody>;
/** Body of `bindChannelSession` and `getChannelSessionByThread`. */
export type ChannelSessionBindingResult = Static<typeof R.Responses.sessionBinding>;
export type ChannelSessionThreadQuery = Static<typeof S.ThreadQuery>;
export type PromptChannelSessionInput = Static<typeof S.PromptBody>;
/** 202 body of `promptChannelSession`. */
export type PromptChannelSessionResponse = Static<typeof R.Responses.prompt>;
export type ClaimProviderEventInput = Static<typeof S.ClaimEventBody>;
/** `claimed:false, duplicate:true` means another holder has it or it was already processed. */
export type ClaimProviderEventResult = Static<typeof R.Responses.claim>;
export type CompleteProviderEventInput = Static<typeof S.CompleteEventBody>;
export type ChannelCursorUpdateInput = Static<typeof S.CursorBody>;

/**
 * Cursors only move forward: an older cursor is refused as `stale`. Richer than its schema (a
 * union on `ok`); `test/contract.test.ts` checks that the two agree.
 */
export type ChannelCursorUpdateResult =
  | { ok: true; binding: ChannelSessionBinding }
  | { ok: false; reason: 'stale' | 'not_found'; binding?: ChannelSessionBinding };

/** Wire body of `POST /api/channels/cursor`. */
export interface ChannelCursorUpdateResponse {
  binding: ChannelSessionBinding;
  result: ChannelCursorUpdateResult;
}

export type CreateChannelInteractionInput = Static<typeof S.CreateInteractionBody>;
/** 201 body of `createChannelInteraction`; `plaintextToken` is shown once. */
export type CreateChannelInteractionResult = Static<typeof R.Responses.interactionCreated>;
/** Identify the interaction by `token` or `externalInteractionId`. */
export type ResolveChannelInteractionInput = Static<typeof S.ResolveInteractionBody>;
/** 202 body of `resolveChannelInteraction`. */
export type ResolveChannelInteractionResponse = Static<typeof R.Responses.interactionResolved>;
export type CreateChannelDeliveryInput = Static<typeof S.CreateDeliveryBody>;

/**
 * The client's ack: `claimedBy` is required here, though the server defaults it to the token id,
 * so a consumer that claimed under a custom name and left it out would get a 404.
 */
export type AckChannelDeliveryInput = Static<typeof S.AckBody> & { claimedBy: string };
/** Extends the lease of a claimed delivery so a slow send is not re-claimed. */
export type RenewChannelDeliveryLeaseInput = Static<typeof S.RenewBody>;
export type ListChannelDeliveriesInput = Static<typeof S.DeliveriesQuery>;
export type RetryChannelDeliveryInput = Static<typeof S.RetryBody>;
export type DeadLetterChannelDeliveryInput = Static<typeof S.DeadLetterBody>;

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
export type ChannelDeliveryStreamFrame = Static<typeof R.Responses.delivery>;

/** `data:` of an `event: error` frame on the delivery stream; the stream stays open. */
export interface ChannelDeliveryStreamErrorFrame {
  error: string;
}
