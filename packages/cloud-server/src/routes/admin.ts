import { admin as adminSchemas } from '@open-cowork/shared/schemas';
import type { CloudAdminPolicyOverview } from '@open-cowork/shared';
import type { FastifyInstance } from 'fastify';

const { AdminPolicyResponse } = adminSchemas;

/** The org's effective policy as an admin sees it, from configuration. */
export async function adminRoutes(app: FastifyInstance) {
  const tenants = app.stores.tenants;
  const { admin: signup, byok } = app.config;

  app.get('/api/admin/policy', { config: { access: 'admin' }, schema: { response: { 200: AdminPolicyResponse } } }, async (request) => {
    const { orgId, userId } = request.principal;
    const org = (await tenants.getMembership(app.db, orgId, userId))?.org ?? app.defaultOrg;
    const entitlements = app.billing.entitlements(orgId);
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
        allowedProviderIds: byok.allowedProviderIds ?? [],
        kmsRefsEnabled: byok.kmsRefPrefixes.length > 0,
        kmsRefPrefixesConfigured: byok.kmsRefPrefixes.length > 0,
        envRefsEnabled: false,
      },
    };
    return { policy };
  });
}
