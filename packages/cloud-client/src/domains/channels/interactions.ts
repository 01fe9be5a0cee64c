import {
  CHANNEL_INTERACTION_KINDS as INTERACTION_KINDS,
  PROVIDER_EVENT_OUTCOMES,
  PROVIDER_EVENT_TYPES,
  type ClaimProviderEventInput,
  type ClaimProviderEventResult,
  type CompleteProviderEventInput,
  type CreateChannelInteractionInput,
  type CreateChannelInteractionResult,
  type ProviderEvent,
  type ResolveChannelInteractionInput,
  type ResolveChannelInteractionResponse,
} from '@open-cowork/shared';
import { commandSender, type CloudClientContext, type CloudCommandOptions } from '../../core/context.js';
import { apiPath } from '../../core/path.js';
import { check, isNonEmpty, optionalPositiveInteger, requireArray, requireObject, requireOneOf } from '../../core/validate.js';
import { checkProvider, requireFields } from './common.js';

/** Inbound traffic of a gateway: approval/answer buttons, and exactly-once claims of provider events. */
export function createChannelInteractionsClient(ctx: CloudClientContext) {
  const send = commandSender(ctx);

  return {
    /**
     * `POST /api/channels/interactions` (201) → `{interaction, plaintextToken}`: a one-time token for
     * a permission or question button. `plaintextToken` is returned this once only.
     */
    async createChannelInteraction(
      input: CreateChannelInteractionInput,
      options?: CloudCommandOptions,
    ): Promise<CreateChannelInteractionResult> {
      requireFields('createChannelInteraction', input, ['agentId', 'sessionBindingId', 'sessionId', 'targetId']);
      checkProvider('createChannelInteraction', input);
      requireOneOf(input.kind, INTERACTION_KINDS, 'createChannelInteraction: kind');
      return send<CreateChannelInteractionResult>('POST', '/api/channels/interactions', input, options);
    },

    /**
     * `POST /api/channels/interactions/resolve` (202) → `{interaction, processingError?, command, processed,
     * view, projectionFence}`. Identify the interaction by `token` or `externalInteractionId`.
     */
    async resolveChannelInteraction(
      input: ResolveChannelInteractionInput,
      options?: CloudCommandOptions,
    ): Promise<ResolveChannelInteractionResponse> {
      requireObject(input, 'resolveChannelInteraction: input');
      const { token, externalInteractionId } = input;
      const identified = [token, externalInteractionId].some(isNonEmpty);
      check(identified, 'resolveChannelInteraction: give a token or an externalInteractionId.');
      checkProvider('resolveChannelInteraction', input, false);
      if (input.answers !== undefined) requireArray(input.answers, 'resolveChannelInteraction: answers');
      return send<ResolveChannelInteractionResponse>('POST', '/api/channels/interactions/resolve', input, options);
    },

    /**
     * `POST /api/channels/provider-events/claim` → `{event, claimed, duplicate}`. Handle the event only
     * when `claimed` is true; `duplicate` means another holder has it or it was already processed.
     */
    async claimChannelProviderEvent(input: ClaimProviderEventInput, options?: CloudCommandOptions): Promise<ClaimProviderEventResult> {
      requireFields('claimChannelProviderEvent', input, ['providerInstanceId', 'providerEventId', 'claimedBy']);
      checkProvider('claimChannelProviderEvent', input);
      requireOneOf(input.eventType, PROVIDER_EVENT_TYPES, 'claimChannelProviderEvent: eventType');
      optionalPositiveInteger(input.ttlMs, 'claimChannelProviderEvent: ttlMs');
      return send<ClaimProviderEventResult>('POST', '/api/channels/provider-events/claim', input, options);
    },

    /**
     * `POST /api/channels/provider-events/:eventId/complete` → `.event`. `claimedBy` must be the
     * claim's holder, else kind `not_found`.
     */
    async completeChannelProviderEvent(
      eventId: string,
      input: CompleteProviderEventInput,
      options?: CloudCommandOptions,
    ): Promise<ProviderEvent> {
      const path = apiPath`/api/channels/provider-events/${eventId}/complete`;
      requireFields('completeChannelProviderEvent', input, ['claimedBy']);
      requireOneOf(input.status, PROVIDER_EVENT_OUTCOMES, 'completeChannelProviderEvent: status');
      return (await send<{ event: ProviderEvent }>('POST', path, input, options)).event;
    },
  };
}
