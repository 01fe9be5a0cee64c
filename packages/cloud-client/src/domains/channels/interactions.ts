import type {
  ClaimProviderEventInput,
  ClaimProviderEventResult,
  CompleteProviderEventInput,
  CreateChannelInteractionInput,
  CreateChannelInteractionResult,
  ProviderEvent,
  ResolveChannelInteractionInput,
  ResolveChannelInteractionResponse,
} from '@open-cowork/shared';
import type { CloudClientContext, CloudCommandOptions } from '../../core/context.js';
import { apiPath } from '../../core/path.js';
import {
  check,
  checkProvider,
  commandSender,
  optionalPositiveInteger,
  requireFields,
  requireObject,
} from './common.js';

const INTERACTION_KINDS = ['permission', 'question'];
const PROVIDER_EVENT_TYPES = ['message', 'command', 'interaction'];
const PROVIDER_EVENT_OUTCOMES = ['processed', 'failed'];

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
      const kinds = INTERACTION_KINDS.join(', ');
      check(INTERACTION_KINDS.includes(input.kind), `createChannelInteraction: kind must be one of ${kinds}.`);
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
      requireObject('resolveChannelInteraction', input);
      const { token, externalInteractionId } = input;
      const identified = [token, externalInteractionId].some((id) => typeof id === 'string' && id !== '');
      check(identified, 'resolveChannelInteraction: give a token or an externalInteractionId.');
      checkProvider('resolveChannelInteraction', input, false);
      const validAnswers = input.answers === undefined || Array.isArray(input.answers);
      check(validAnswers, 'resolveChannelInteraction: answers must be an array.');
      return send<ResolveChannelInteractionResponse>('POST', '/api/channels/interactions/resolve', input, options);
    },

    /**
     * `POST /api/channels/provider-events/claim` → `{event, claimed, duplicate}`. Handle the event only
     * when `claimed` is true; `duplicate` means another holder has it or it was already processed.
     */
    async claimChannelProviderEvent(
      input: ClaimProviderEventInput,
      options?: CloudCommandOptions,
    ): Promise<ClaimProviderEventResult> {
      requireFields('claimChannelProviderEvent', input, ['providerInstanceId', 'providerEventId', 'claimedBy']);
      checkProvider('claimChannelProviderEvent', input);
      const types = PROVIDER_EVENT_TYPES.join(', ');
      const knownType = PROVIDER_EVENT_TYPES.includes(input.eventType);
      check(knownType, `claimChannelProviderEvent: eventType must be one of ${types}.`);
      optionalPositiveInteger('claimChannelProviderEvent', input, 'ttlMs');
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
      const outcomes = PROVIDER_EVENT_OUTCOMES.join(', ');
      const knownOutcome = PROVIDER_EVENT_OUTCOMES.includes(input.status);
      check(knownOutcome, `completeChannelProviderEvent: status must be one of ${outcomes}.`);
      return (await send<{ event: ProviderEvent }>('POST', path, input, options)).event;
    },
  };
}
