import type { CloudAdminPolicyOverview, CloudDiagnosticsBundle, CloudTransportConfig, CloudWorkspaceOverview } from '@open-cowork/shared';
import type { config as configSchemas } from '@open-cowork/shared/schemas';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Principal } from '../auth/principal.js';
import type { ServerConfig } from '../config.js';
import { httpError } from '../errors.js';
import type { RuntimeAdapter } from '../runtime/adapter.js';
import type { Db } from '../store/db.js';
import type { Stores } from '../store/stores.js';
import type { OrgRecord } from '../store/tenants.js';
import type { BillingService } from './billing.js';
import { DEFAULT_PROFILE } from './sessions.js';
import type { UsageService } from './usage.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Read-only views of the org and the server: configuration, workspace, policy, runtime status, diagnostics, metrics. */
    overview: OverviewService;
  }
}

/** What this server offers; cloud sessions never reach into the caller's machine. */
const FEATURES: Record<string, boolean> = {
  cloudSessions: true,
  sessionImport: true,
  projectSnapshots: true,
  eventStreams: true,
  idempotentCommands: true,
};

interface OverviewServiceDeps {
  db: Db;
  tenants: Stores['tenants'];
  commands: Stores['commands'];
  counts: Stores['billing'];
  byok: Stores['byok'];
  usage: UsageService;
  billing: BillingService;
  runtime: Pick<RuntimeAdapter, 'name' | 'description'>;
  /** The runtime worker of this process, when it runs one. */
  workerId: string | null;
  defaultOrg: OrgRecord;
  config: ServerConfig;
}

/** What the server and the org look like to a member, an admin or the operator; nothing here changes anything. */
function createOverviewService(deps: OverviewServiceDeps) {
  const { db, tenants, commands, counts, byok, usage, billing, runtime, config } = deps;

  /** The caller's org as stored; the default org when the caller has no membership (the operator). */
  const orgOf = async (principal: Principal) =>
    (await tenants.getMembership(db, principal.orgId, principal.userId))?.org ?? deps.defaultOrg;

  return {
    transportConfig: (principal: Principal): CloudTransportConfig => ({
      role: principal.role,
      profileName: DEFAULT_PROFILE,
      features: FEATURES,
      allowedAgents: null,
      allowedTools: null,
      allowedMcps: null,
      publicBranding: null,
    }),

    async workspace(principal: Principal): Promise<CloudWorkspaceOverview> {
      const membership = await tenants.getMembership(db, principal.orgId, principal.userId);
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

    async runtimeStatus(principal: Principal): Promise<Static<typeof configSchemas.RuntimeStatusResponse>> {
      const { workers, leasesHeld, queue } = await commands.status(db, config.lease.durationMs);
      return {
        role: principal.role,
        profileName: DEFAULT_PROFILE,
        canExecute: workers.length > 0,
        // Prompts are queued and run by runtime workers under session leases (services/workers.ts).
        commandProcessing: 'durable',
        checkpoints: false,
        heartbeats: workers.map(({ workerId, heartbeatAt }) => ({ workerId, heartbeatAt })),
        runtime: { name: runtime.name, description: runtime.description },
        process: { role: config.role, workerId: deps.workerId },
        workers,
        leasesHeld,
        queue,
      };
    },

    /** The org's effective policy as an admin sees it, from configuration. */
    async policy(principal: Principal): Promise<{ policy: CloudAdminPolicyOverview }> {
      const { orgId } = principal;
      const { admin: signup, byok: byokConfig } = config;
      const org = await orgOf(principal);
      const entitlements = billing.entitlements(orgId);
      const policy: CloudAdminPolicyOverview = {
        org: { orgId, tenantId: orgId, name: org.name, planKey: org.planKey, status: org.status },
        signup: {
          mode: signup.signupMode,
          allowSelfServiceSignup: signup.signupMode === 'open' || signup.signupMode === 'domain',
          allowedEmailDomains: signup.allowedEmailDomains,
          invitesEnabled: signup.signupMode !== 'disabled',
        },
        profile: { name: 'default', label: 'Default', description: 'The profile every cloud session runs with on this server.' },
        features: entitlements,
        allowedAgents: null,
        allowedTools: null,
        allowedMcps: null,
        runtime: {
          configSource: 'server',
          machineRuntimeConfig: 'disabled',
          localStdioMcps: 'disabled',
          hostProjectDirectories: 'disabled',
        },
        projectSources: { git: true, snapshot: true },
        gateway: { channelsEnabled: entitlements.channels !== false, webhooksEnabled: entitlements.workflows !== false },
        providerKeys: {
          allowedProviderIds: byokConfig.allowedProviderIds ?? [],
          kmsRefsEnabled: byokConfig.kmsRefPrefixes.length > 0,
          kmsRefPrefixesConfigured: byokConfig.kmsRefPrefixes.length > 0,
          envRefsEnabled: false,
        },
      };
      return { policy };
    },

    /** A support bundle: counts, statuses and configuration, never a secret, token or message text. */
    async diagnostics(principal: Principal): Promise<CloudDiagnosticsBundle> {
      const { orgId } = principal;
      const [org, members, secrets, usageSummary, gateway] = await Promise.all([
        orgOf(principal),
        counts.memberCounts(db, orgId),
        byok.list(db, orgId),
        usage.summary(orgId, 20),
        counts.gatewayCounts(db, orgId),
      ]);
      return {
        generatedAt: new Date().toISOString(),
        redaction: 'secrets-redacted',
        org: { orgId, tenantId: orgId, slug: org.slug, name: org.name, planKey: org.planKey, status: org.status, membersByStatus: members },
        runtime: {
          name: runtime.name,
          commandProcessing: 'inline',
          storeEngine: db.engine,
          node: process.version,
          byokKeySource: config.byok.keySource,
          oidc: config.oidc !== null,
          operatorToken: config.operatorToken !== null,
        },
        billing: billing.subscription(orgId),
        byok: {
          configuredProviders: secrets.filter((secret) => secret.status !== 'disabled').length,
          providers: secrets.map(({ providerId, status, credentialKind, lastValidatedAt }) => ({
            providerId,
            status,
            credentialKind,
            lastValidatedAt,
          })),
        },
        usage: usageSummary,
        gateway: { ...gateway, deliveriesByStatusScope: 'all_retained' },
        links: {
          usage: '/api/usage/summary',
          billing: '/api/billing/subscription',
          audit: '/api/admin/audit',
          policy: '/api/admin/policy',
          openapi: '/api/openapi.json',
        },
      };
    },

    /** Process and tenancy figures for the operator. */
    async metrics() {
      return {
        uptimeSeconds: Math.round(process.uptime()),
        rssBytes: process.memoryUsage().rss,
        store: db.engine,
        ...(await counts.serverTotals(db)),
      };
    },

    /** Throws 503 `store.unavailable` unless the store answers. */
    async requireStore(): Promise<void> {
      try {
        await db.query('SELECT 1');
      } catch {
        throw httpError('store.unavailable', 'The store is unavailable.', { retryAfterMs: 1_000 });
      }
    },
  };
}

type OverviewService = ReturnType<typeof createOverviewService>;

/** `app.overview`: after the session services and runtime workers, whose runtime and worker it reports. */
async function overviewServicePlugin(app: FastifyInstance) {
  const { db, stores } = app;
  app.decorate(
    'overview',
    createOverviewService({
      db,
      tenants: stores.tenants,
      commands: stores.commands,
      counts: stores.billing,
      byok: stores.byok,
      usage: app.usage,
      billing: app.billing,
      runtime: app.runtime.adapter,
      workerId: app.runtimeWorker?.workerId ?? null,
      defaultOrg: app.defaultOrg,
      config: app.config,
    }),
  );
}

export const overviewService = fp(overviewServicePlugin, {
  name: 'overview-service',
  dependencies: ['store', 'auth', 'account-services', 'session-services', 'runtime-workers'],
});
