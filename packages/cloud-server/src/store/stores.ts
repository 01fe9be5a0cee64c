import { createArtifactsStore } from './artifacts.js';
import { createAuditStore } from './audit.js';
import { createAuthSessionStore } from './auth-sessions.js';
import { createBillingStore } from './billing.js';
import { createByokStore } from './byok.js';
import { createChannelDeliveriesStore } from './channel-deliveries.js';
import { createChannelInboundStore } from './channel-inbound.js';
import { createChannelsStore } from './channels.js';
import { createCommandsStore } from './commands.js';
import { createEventsStore } from './events.js';
import { createIdempotentRequestsStore } from './idempotent-requests.js';
import { createMembersStore } from './members.js';
import { createSessionsStore, createSnapshotsStore } from './sessions.js';
import { createSettingsStore } from './settings.js';
import { createTenantStore } from './tenants.js';
import { createThreadsStore } from './threads.js';
import { createTokenStore } from './tokens.js';
import { createUsageStore } from './usage.js';
import { createWorkflowsStore } from './workflows.js';

export interface StoresOptions {
  /** How long an unused cookie session stays live. */
  sessionIdleMs: number;
}

/**
 * Every store of the server, by domain: the one place a store is created. Stores hold no
 * connection, so building them all costs nothing; services receive the ones they use.
 */
export function createStores({ sessionIdleMs }: StoresOptions) {
  return {
    artifacts: createArtifactsStore(),
    audit: createAuditStore(),
    authSessions: createAuthSessionStore(sessionIdleMs),
    billing: createBillingStore(),
    byok: createByokStore(),
    channelDeliveries: createChannelDeliveriesStore(),
    channelInbound: createChannelInboundStore(),
    channels: createChannelsStore(),
    commands: createCommandsStore(),
    events: createEventsStore(),
    idempotentRequests: createIdempotentRequestsStore(),
    members: createMembersStore(),
    sessions: createSessionsStore(),
    settings: createSettingsStore(),
    snapshots: createSnapshotsStore(),
    tenants: createTenantStore(),
    threads: createThreadsStore(),
    tokens: createTokenStore(),
    usage: createUsageStore(),
    workflows: createWorkflowsStore(),
  };
}

export type Stores = ReturnType<typeof createStores>;
