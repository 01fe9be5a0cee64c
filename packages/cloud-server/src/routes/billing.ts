import { billing as billingSchemas } from '@open-cowork/shared/schemas';
import type { CloudDiagnosticsBundle } from '@open-cowork/shared';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_USAGE_LIMIT } from '../services/usage.js';

const {
  BillingSubscriptionPayloadSchema,
  CheckoutBody,
  CheckoutResponse,
  DiagnosticsSchema,
  LimitQuery,
  PortalBody,
  PortalResponse,
  UsageEventsResponse,
  UsageSummarySchema,
} = billingSchemas;

/**
 * Usage, quotas, the diagnostics bundle and the billing subscription. Usage
 * and diagnostics show org-wide data and are for admins; the subscription (entitlements) for members.
 */
export async function billingRoutes(app: FastifyInstance) {
  const { billing: counts, byok, tenants } = app.stores;
  const member = { access: 'member' as const };
  const admin = { access: 'admin' as const };

  app.get<{ Querystring: Static<typeof LimitQuery> }>(
    '/api/usage/events',
    { config: admin, schema: { querystring: LimitQuery, response: { 200: UsageEventsResponse } } },
    async (request) => ({ events: await app.usage.listEvents(request.principal.orgId, request.query.limit ?? DEFAULT_USAGE_LIMIT) }),
  );

  app.get<{ Querystring: Static<typeof LimitQuery> }>(
    '/api/usage/summary',
    { config: admin, schema: { querystring: LimitQuery, response: { 200: UsageSummarySchema } } },
    async (request) => app.usage.summary(request.principal.orgId, request.query.limit ?? DEFAULT_USAGE_LIMIT),
  );

  app.get(
    '/api/billing/subscription',
    { config: member, schema: { response: { 200: BillingSubscriptionPayloadSchema } } },
    async (request) => app.billing.subscription(request.principal.orgId),
  );

  app.post<{ Body: Static<typeof CheckoutBody> }>(
    '/api/billing/checkout',
    { config: admin, schema: { body: CheckoutBody, response: { 200: CheckoutResponse } } },
    async () => app.billing.checkout(),
  );

  app.post<{ Body: Static<typeof PortalBody> }>(
    '/api/billing/portal',
    { config: admin, schema: { body: PortalBody, response: { 200: PortalResponse } } },
    async () => app.billing.portal(),
  );

  /** A support bundle: counts, statuses and configuration, never a secret, token or message text. */
  app.get(
    '/api/diagnostics',
    { config: admin, schema: { response: { 200: DiagnosticsSchema } } },
    async (request): Promise<CloudDiagnosticsBundle> => {
      const { orgId } = request.principal;
      const [membership, members, secrets, usage, gateway] = await Promise.all([
        tenants.getMembership(app.db, orgId, request.principal.userId),
        counts.memberCounts(app.db, orgId),
        byok.list(app.db, orgId),
        app.usage.summary(orgId, 20),
        counts.gatewayCounts(app.db, orgId),
      ]);
      const org = membership?.org ?? app.defaultOrg;
      return {
        generatedAt: new Date().toISOString(),
        redaction: 'secrets-redacted',
        org: { orgId, tenantId: orgId, slug: org.slug, name: org.name, planKey: org.planKey, status: org.status, membersByStatus: members },
        runtime: {
          name: app.runtime.adapter.name,
          commandProcessing: 'inline',
          storeEngine: app.db.engine,
          node: process.version,
          byokKeySource: app.config.byok.keySource,
          oidc: app.config.oidc !== null,
          operatorToken: app.config.operatorToken !== null,
        },
        billing: app.billing.subscription(orgId),
        byok: {
          configuredProviders: secrets.filter((secret) => secret.status !== 'disabled').length,
          providers: secrets.map(({ providerId, status, credentialKind, lastValidatedAt }) => ({
            providerId,
            status,
            credentialKind,
            lastValidatedAt,
          })),
        },
        usage,
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
  );
}
