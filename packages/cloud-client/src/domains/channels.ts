import type { CloudClientContext } from '../core/context.js';
import { createChannelAgentsClient } from './channels/agents.js';
import { createChannelDeliveriesClient } from './channels/deliveries.js';
import { createChannelInteractionsClient } from './channels/interactions.js';
import { createChannelSessionsClient } from './channels/sessions.js';

export type {
  AckChannelDeliveryInput,
  BindChannelSessionInput,
  ChannelBinding,
  ChannelCursorUpdateInput,
  ChannelCursorUpdateResult,
  ChannelDeliveriesStreamQuery,
  ChannelDeliveryRecord,
  ChannelIdentity,
  ChannelInteraction,
  ChannelProviderSummary,
  ChannelSessionBinding,
  ChannelSessionBindingResult,
  ChannelSessionThreadQuery,
  ClaimProviderEventInput,
  ClaimProviderEventResult,
  CompleteProviderEventInput,
  CreateChannelBindingInput,
  CreateChannelDeliveryInput,
  CreateChannelInteractionInput,
  CreateChannelInteractionResult,
  CreateHeadlessAgentInput,
  DeadLetterChannelDeliveryInput,
  HeadlessAgent,
  ListChannelDeliveriesInput,
  ListChannelIdentitiesInput,
  PromptChannelSessionInput,
  PromptChannelSessionResponse,
  ProviderEvent,
  RenewChannelDeliveryLeaseInput,
  ResolveChannelIdentityInput,
  ResolveChannelInteractionInput,
  ResolveChannelInteractionResponse,
  RetryChannelDeliveryInput,
  UpdateChannelBindingInput,
  UpdateHeadlessAgentInput,
} from '@open-cowork/shared';
export type { ChannelListQuery } from './channels/agents.js';
export type { ChannelDeliverySubscriptionOptions } from './channels/deliveries.js';

/**
 * The channels domain's methods. Declared as the intersection of the four parts, so each method
 * keeps its documentation in the built types (a spread object would be re-typed without it).
 */
export type CloudChannelsClient = ReturnType<typeof createChannelAgentsClient> &
  ReturnType<typeof createChannelSessionsClient> &
  ReturnType<typeof createChannelInteractionsClient> &
  ReturnType<typeof createChannelDeliveriesClient>;

/**
 * The gateway / headless-agent plane, in four parts:
 * setup (providers, agents, bindings, identities), chat sessions (bind, prompt, cursor, events),
 * inbound interactions and provider events, and the outbound delivery queue with its stream.
 */
export function createCloudChannelsClient(ctx: CloudClientContext): CloudChannelsClient {
  return {
    ...createChannelAgentsClient(ctx),
    ...createChannelSessionsClient(ctx),
    ...createChannelInteractionsClient(ctx),
    ...createChannelDeliveriesClient(ctx),
  };
}
