export { createCloudClientContext, createHttpSseCloudTransportAdapter } from './adapter.js';
export type {
  CloudClientContext,
  CloudCommandOptions,
  CloudEventSourceConstructor,
  CloudEventSourceLike,
  CloudFetch,
  CloudFetchInit,
  CloudFetchResponse,
  CloudSubscription,
  CloudTransportAdapter,
  CloudTransportAdapterOptions,
} from './adapter.js';
export {
  CLOUD_TRANSPORT_ERROR_KINDS,
  CloudTransportError,
  isCloudTransportError,
  type CloudTransportErrorDetails,
  type CloudTransportErrorKind,
} from './core/errors.js';
export {
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_STREAM_IDLE_TIMEOUT_MS,
  MAX_REQUEST_TIMEOUT_MS,
  MIN_REQUEST_TIMEOUT_MS,
  normalizeRequestTimeoutMs,
} from './core/options.js';
