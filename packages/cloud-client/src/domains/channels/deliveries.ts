import type {
  AckChannelDeliveryInput,
  ChannelDeliveriesStreamQuery,
  ChannelDeliveryRecord,
  CreateChannelDeliveryInput,
  DeadLetterChannelDeliveryInput,
  ListChannelDeliveriesInput,
  RenewChannelDeliveryLeaseInput,
  RetryChannelDeliveryInput,
} from '@open-cowork/shared';
import {
  commandSender,
  type CloudClientContext,
  type CloudCommandOptions,
  type CloudStreamFrame,
  type CloudSubscription,
} from '../../core/context.js';
import { CloudTransportError } from '../../core/errors.js';
import { apiPath } from '../../core/path.js';
import { callbackOf, failedSubscription } from '../../core/subscription.js';
import {
  check,
  isNonEmpty,
  isObject,
  optionalObject,
  optionalOneOf,
  optionalPositiveInteger,
  optionalStrings,
  requireOneOf,
} from '../../core/validate.js';
import { checkProvider, requireFields } from './common.js';

/** Callbacks and scope of `subscribeChannelDeliveries`. */
export interface ChannelDeliverySubscriptionOptions extends ChannelDeliveriesStreamQuery {
  /** Each delivery claimed for this consumer; ack it (echoing `claimedBy`) once sent. */
  onDelivery(delivery: ChannelDeliveryRecord): void;
  /**
   * Stream failures, and the server's `event: error` frames (kind `sse`, e.g. a delivery quota
   * exhausted); the stream stays open after those.
   */
  onError?(error: CloudTransportError): void;
  /** Fired once when the server ends the stream; never after `close()`. */
  onClose?(): void;
}

const STREAM_PATH = '/api/channels/deliveries/stream';
/** Named frame types of the delivery stream (the EventSource path listens for these only). */
const STREAM_EVENT_TYPES = ['channel.delivery', 'error'];
const DELIVERY_STATUSES = ['pending', 'claimed', 'sent', 'failed', 'dead'];
const ACK_STATUSES = ['sent', 'failed', 'dead'];

function streamQuery(method: string, query: ChannelDeliveriesStreamQuery | undefined) {
  const { claimedBy, ttlMs, channelBindingIds, prefetch } = optionalObject(query, `${method}: input`);
  check(claimedBy === undefined || isNonEmpty(claimedBy), `${method}: claimedBy must be a non-empty string.`);
  optionalPositiveInteger(ttlMs, `${method}: ttlMs`);
  optionalPositiveInteger(prefetch, `${method}: prefetch`);
  const validIds = channelBindingIds === undefined || (Array.isArray(channelBindingIds) && channelBindingIds.every(isNonEmpty));
  check(validIds, `${method}: channelBindingIds must be an array of non-empty strings.`);
  return { claimedBy, ttlMs, channelBindingId: channelBindingIds, prefetch };
}

/** The gateway's outbound queue: deliveries, their leases and acks, and the claiming stream. */
export function createChannelDeliveriesClient(ctx: CloudClientContext) {
  const send = commandSender(ctx);
  /** Every delivery action answers `{delivery}`; a delivery that is not matched is kind `not_found`. */
  const action = async (deliveryId: string, verb: string, body: object, options?: CloudCommandOptions) => {
    const path = apiPath`/api/channels/deliveries/${deliveryId}/${verb}`;
    return (await send<{ delivery: ChannelDeliveryRecord }>('POST', path, body, options)).delivery;
  };

  return {
    /**
     * `POST /api/channels/deliveries` (201) → `.delivery`. Idempotent on `deliveryId`: a repeat
     * returns the existing row.
     */
    async createChannelDelivery(input: CreateChannelDeliveryInput, options?: CloudCommandOptions): Promise<ChannelDeliveryRecord> {
      requireFields('createChannelDelivery', input, ['agentId', 'channelBindingId', 'eventType']);
      checkProvider('createChannelDelivery', input);
      const objects = isObject(input.target) && isObject(input.payload);
      check(objects, 'createChannelDelivery: target and payload must be objects.');
      optionalOneOf(input.status, DELIVERY_STATUSES, 'createChannelDelivery: status');
      const path = '/api/channels/deliveries';
      return (await send<{ delivery: ChannelDeliveryRecord }>('POST', path, input, options)).delivery;
    },

    /**
     * `POST /api/channels/deliveries/:id/ack` → `.delivery`. `claimedBy` is required and must be the
     * name the delivery was claimed under (the server would otherwise match the token id and answer 404).
     */
    async ackChannelDelivery(
      deliveryId: string,
      input: AckChannelDeliveryInput,
      options?: CloudCommandOptions,
    ): Promise<ChannelDeliveryRecord> {
      requireFields('ackChannelDelivery', input, ['claimedBy']);
      requireOneOf(input.status, ACK_STATUSES, 'ackChannelDelivery: status');
      return action(deliveryId, 'ack', input, options);
    },

    /**
     * `POST /api/channels/deliveries/:id/renew` → `.delivery`: extends the lease held by `claimedBy` by
     * `ttlMs` so a slow send is not re-claimed by another consumer. Not offered by first-contract servers.
     */
    async renewChannelDeliveryLease(
      deliveryId: string,
      input: RenewChannelDeliveryLeaseInput,
      options?: CloudCommandOptions,
    ): Promise<ChannelDeliveryRecord> {
      requireFields('renewChannelDeliveryLease', input, ['claimedBy']);
      optionalPositiveInteger(input.ttlMs, 'renewChannelDeliveryLease: ttlMs');
      return action(deliveryId, 'renew', input, options);
    },

    /**
     * `GET /api/channels/deliveries?deliveryId&status&channelBindingId&limit` → `.deliveries`
     * (payload and target sanitised; limit ≤ 200).
     */
    async listChannelDeliveries(query?: ListChannelDeliveriesInput): Promise<ChannelDeliveryRecord[]> {
      const input = optionalObject(query, 'listChannelDeliveries: input');
      optionalOneOf(input.status, DELIVERY_STATUSES, 'listChannelDeliveries: status');
      optionalPositiveInteger(input.limit, 'listChannelDeliveries: limit');
      const { deliveryId, status, channelBindingId, limit } = input;
      optionalStrings({ deliveryId, channelBindingId }, 'listChannelDeliveries: ');
      const request = { query: { deliveryId, status, channelBindingId, limit } };
      type DeliveryList = { deliveries: ChannelDeliveryRecord[] };
      return (await ctx.request<DeliveryList>('/api/channels/deliveries', request)).deliveries;
    },

    /** `POST /api/channels/deliveries/:id/retry` → `.delivery` (status `failed`, claimable now). */
    async retryChannelDelivery(
      deliveryId: string,
      input?: RetryChannelDeliveryInput,
      options?: CloudCommandOptions,
    ): Promise<ChannelDeliveryRecord> {
      return action(deliveryId, 'retry', optionalObject(input, 'retryChannelDelivery: input'), options);
    },

    /** `POST /api/channels/deliveries/:id/dead-letter` → `.delivery` (status `dead`, never retried). */
    async deadLetterChannelDelivery(
      deliveryId: string,
      input?: DeadLetterChannelDeliveryInput,
      options?: CloudCommandOptions,
    ): Promise<ChannelDeliveryRecord> {
      return action(deliveryId, 'dead-letter', optionalObject(input, 'deadLetterChannelDelivery: input'), options);
    },

    /**
     * Absolute URL of the delivery stream, `/api/channels/deliveries/stream?claimedBy&ttlMs&channelBindingId…&prefetch`
     * (one `channelBindingId` per id). Synchronous; throws kind `request` on a bad argument.
     */
    channelDeliveriesUrl(query?: ChannelDeliveriesStreamQuery): string {
      return ctx.url(STREAM_PATH, streamQuery('channelDeliveriesUrl', query));
    },

    /**
     * `GET /api/channels/deliveries/stream` (SSE): every delivery the server claims for `claimedBy`
     * (leased for `ttlMs`, at most `prefetch` unacked at once) goes to `onDelivery`. At-least-once: a delivery not acked before its lease
     * ends is delivered again. Never throws: bad arguments reach `onError` (kind `request`).
     */
    subscribeChannelDeliveries(options: ChannelDeliverySubscriptionOptions): CloudSubscription {
      const onError = callbackOf(options ?? {}, options?.onError);
      try {
        const query = streamQuery('subscribeChannelDeliveries', options);
        const onDelivery = callbackOf(options, options.onDelivery);
        check(onDelivery !== undefined, 'subscribeChannelDeliveries: onDelivery must be a function.');
        const url = ctx.url(STREAM_PATH, query);
        const onFrame = (frame: CloudStreamFrame) => {
          const data = isObject(frame.data) ? frame.data : {};
          if (frame.type === 'channel.delivery') {
            if (isObject(data.delivery)) return onDelivery(data.delivery as unknown as ChannelDeliveryRecord);
            const message = `A channel.delivery frame on ${url} carried no delivery.`;
            onError?.(new CloudTransportError('parse', message, { url, body: frame.data }));
          } else if (frame.type === 'error') {
            // The server reports a failed poll (e.g. a delivery quota) and keeps the stream open.
            const message = isNonEmpty(data.error) ? data.error : `The delivery stream ${url} reported an error.`;
            const code = isNonEmpty(data.code) ? data.code : null;
            onError?.(new CloudTransportError('sse', message, { url, code, body: frame.data }));
          }
          // Other frame types are ignored: a newer server may add some.
        };
        // Deliveries carry no sequence (the `id:` is the delivery id): resumption is the server's claim state.
        const sequenceOf = () => null;
        const onClose = callbackOf(options, options.onClose);
        const eventTypes = STREAM_EVENT_TYPES;
        return ctx.stream({ path: STREAM_PATH, query, sequenceOf, eventTypes, onFrame, onError, onClose });
      } catch (error) {
        return failedSubscription(error, onError);
      }
    },
  };
}
