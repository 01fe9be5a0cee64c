import { createCloudClientContext } from './core/create-context.js';
import type { CloudTransportAdapterOptions } from './core/options.js';
import { createCloudArtifactsClient } from './domains/artifacts.js';
import { createCloudBillingClient } from './domains/billing.js';
import { createCloudByokClient } from './domains/byok.js';
import { createCloudCapabilitiesClient } from './domains/capabilities.js';
import { createCloudChannelsClient } from './domains/channels.js';
import { createCloudConfigClient } from './domains/config.js';
import { createCloudIdentityClient } from './domains/identity.js';
import { createCloudSessionsClient } from './domains/sessions.js';
import { createCloudSettingsClient } from './domains/settings.js';
import { createCloudThreadsClient } from './domains/threads.js';
import { createCloudTransportClient } from './domains/transport.js';
import { createCloudWorkflowsClient } from './domains/workflows.js';

export type {
  CloudEventSourceConstructor,
  CloudEventSourceLike,
  CloudFetch,
  CloudFetchInit,
  CloudFetchResponse,
  CloudTransportAdapterOptions,
} from './core/options.js';
export type { CloudClientContext, CloudCommandOptions, CloudSubscription } from './core/context.js';
/** Builds the context a single domain factory takes, for a client with a smaller surface. */
export { createCloudClientContext };

/** Every method of every domain, on one object. */
export type CloudTransportAdapter = ReturnType<typeof createCloudArtifactsClient> &
  ReturnType<typeof createCloudBillingClient> &
  ReturnType<typeof createCloudByokClient> &
  ReturnType<typeof createCloudCapabilitiesClient> &
  ReturnType<typeof createCloudChannelsClient> &
  ReturnType<typeof createCloudConfigClient> &
  ReturnType<typeof createCloudIdentityClient> &
  ReturnType<typeof createCloudSessionsClient> &
  ReturnType<typeof createCloudSettingsClient> &
  ReturnType<typeof createCloudThreadsClient> &
  ReturnType<typeof createCloudTransportClient> &
  ReturnType<typeof createCloudWorkflowsClient>;

/**
 * The Cloud client: every domain's methods over one HTTP/SSE transport.
 *
 * @example Desktop (bearer token)
 * const cloud = createHttpSseCloudTransportAdapter({
 *   baseUrl: 'https://cloud.example.com',
 *   headers: { authorization: `Bearer ${accessToken}` },
 * });
 */
export function createHttpSseCloudTransportAdapter(options: CloudTransportAdapterOptions): CloudTransportAdapter {
  const ctx = createCloudClientContext(options);
  return {
    ...createCloudArtifactsClient(ctx),
    ...createCloudBillingClient(ctx),
    ...createCloudByokClient(ctx),
    ...createCloudCapabilitiesClient(ctx),
    ...createCloudChannelsClient(ctx),
    ...createCloudConfigClient(ctx),
    ...createCloudIdentityClient(ctx),
    ...createCloudSessionsClient(ctx),
    ...createCloudSettingsClient(ctx),
    ...createCloudThreadsClient(ctx),
    ...createCloudTransportClient(ctx),
    ...createCloudWorkflowsClient(ctx),
  };
}
