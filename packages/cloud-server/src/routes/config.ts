import { config as configSchemas } from '@open-cowork/shared/schemas';
import type { CloudTransportConfig, CloudWorkspaceOverview } from '@open-cowork/shared';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { httpError } from '../errors.js';
import { DEFAULT_PROFILE } from '../services/sessions.js';

const { RuntimeStatusResponse, TransportConfigResponse, WorkspaceOverviewResponse } = configSchemas;

/** What this server offers; cloud sessions never reach into the caller's machine. */
const FEATURES: Record<string, boolean> = {
  cloudSessions: true,
  sessionImport: true,
  projectSnapshots: true,
  eventStreams: true,
  idempotentCommands: true,
};

/** Client configuration, workspace overview and runtime status (workers, leases, queue depth). */
export async function configRoutes(app: FastifyInstance) {
  const tenants = app.stores.tenants;
  const member = { access: 'member' as const };

  app.get(
    '/api/config',
    { config: member, schema: { response: { 200: TransportConfigResponse } } },
    async (request): Promise<CloudTransportConfig> => ({
      role: request.principal.role,
      profileName: DEFAULT_PROFILE,
      features: FEATURES,
      allowedAgents: null,
      allowedTools: null,
      allowedMcps: null,
      publicBranding: null,
    }),
  );

  app.get(
    '/api/workspace',
    { config: member, schema: { response: { 200: WorkspaceOverviewResponse } } },
    async (request): Promise<CloudWorkspaceOverview> => {
      const { principal } = request;
      const membership = await tenants.getMembership(app.db, principal.orgId, principal.userId);
      if (membership?.status !== 'active') {
        throw httpError('authorization.membership_inactive', 'The membership of this account is not active.');
      }
      return {
        tenantId: principal.tenantId,
        tenantName: membership.org.name,
        orgId: principal.orgId,
        orgName: membership.org.name,
        userId: principal.userId,
        accountId: principal.accountId,
        email: principal.email,
        role: principal.role,
        profileName: DEFAULT_PROFILE,
        policy: {
          features: FEATURES,
          allowedAgents: null,
          allowedTools: null,
          allowedMcps: null,
          localFiles: 'disabled',
          localStdioMcps: 'disabled',
          machineRuntimeConfig: 'disabled',
        },
      };
    },
  );

  const commands = app.stores.commands;
  app.get(
    '/api/runtime/status',
    { config: member, schema: { response: { 200: RuntimeStatusResponse } } },
    async (request): Promise<Static<typeof RuntimeStatusResponse>> => {
      const { workers, leasesHeld, queue } = await commands.status(app.db, app.config.lease.durationMs);
      return {
        role: request.principal.role,
        profileName: DEFAULT_PROFILE,
        canExecute: workers.length > 0,
        // Prompts are queued and run by runtime workers under session leases (services/workers.ts).
        commandProcessing: 'durable',
        checkpoints: false,
        heartbeats: workers.map(({ workerId, heartbeatAt }) => ({ workerId, heartbeatAt })),
        runtime: { name: app.runtime.adapter.name, description: app.runtime.adapter.description },
        process: { role: app.config.role, workerId: app.runtimeWorker?.workerId ?? null },
        workers,
        leasesHeld,
        queue,
      };
    },
  );
}
