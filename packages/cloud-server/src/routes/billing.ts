import { billing as billingSchemas } from '@open-cowork/shared/schemas';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

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
  const member = { access: 'member' as const };
  const admin = { access: 'admin' as const };

  app.get<{ Querystring: Static<typeof LimitQuery> }>(
    '/api/usage/events',
    { config: admin, schema: { querystring: LimitQuery, response: { 200: UsageEventsResponse } } },
    async (request) => ({ events: await app.usage.listEvents(request.principal.orgId, request.query.limit) }),
  );

  app.get<{ Querystring: Static<typeof LimitQuery> }>(
    '/api/usage/summary',
    { config: admin, schema: { querystring: LimitQuery, response: { 200: UsageSummarySchema } } },
    async (request) => app.usage.summary(request.principal.orgId, request.query.limit),
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
  app.get('/api/diagnostics', { config: admin, schema: { response: { 200: DiagnosticsSchema } } }, async (request) =>
    app.overview.diagnostics(request.principal),
  );
}
