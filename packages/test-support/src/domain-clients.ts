import type { CloudClientContext } from '@open-cowork/cloud-client';
import { createCloudArtifactsClient } from '@open-cowork/cloud-client/domains/artifacts';
import { createCloudBillingClient } from '@open-cowork/cloud-client/domains/billing';
import { createCloudByokClient } from '@open-cowork/cloud-client/domains/byok';
import { createCloudCapabilitiesClient } from '@open-cowork/cloud-client/domains/capabilities';
import { createCloudChannelsClient } from '@open-cowork/cloud-client/domains/channels';
import { createCloudConfigClient } from '@open-cowork/cloud-client/domains/config';
import { createCloudIdentityClient } from '@open-cowork/cloud-client/domains/identity';
import { createCloudSessionsClient } from '@open-cowork/cloud-client/domains/sessions';
import { createCloudSettingsClient } from '@open-cowork/cloud-client/domains/settings';
import { createCloudThreadsClient } from '@open-cowork/cloud-client/domains/threads';
import { createCloudTransportClient } from '@open-cowork/cloud-client/domains/transport';
import { createCloudWorkflowsClient } from '@open-cowork/cloud-client/domains/workflows';

/** Each domain's client factory, by domain name (the client README's `### <domain>` sections). */
export const DOMAIN_CLIENTS: Record<string, (ctx: CloudClientContext) => object> = {
  artifacts: createCloudArtifactsClient,
  billing: createCloudBillingClient,
  byok: createCloudByokClient,
  capabilities: createCloudCapabilitiesClient,
  channels: createCloudChannelsClient,
  config: createCloudConfigClient,
  identity: createCloudIdentityClient,
  sessions: createCloudSessionsClient,
  settings: createCloudSettingsClient,
  threads: createCloudThreadsClient,
  transport: createCloudTransportClient,
  workflows: createCloudWorkflowsClient,
};

/** Building a domain client does no I/O, so a context that is never called will do. */
const unusedContext = {} as CloudClientContext;

/** The method names of a domain's client; none for a domain the client does not have. */
export const methodsOf = (domain: string): string[] => Object.keys(DOMAIN_CLIENTS[domain]?.(unusedContext) ?? {});
