import type {
  BillingCheckoutInput,
  BillingCheckoutSession,
  BillingPortalInput,
  BillingPortalSession,
  BillingSubscriptionPayload,
  CloudDiagnosticsBundle,
  CloudUsageSummary,
  UsageEvent,
} from '@open-cowork/shared';
import { commandSender, type CloudClientContext, type CloudCommandOptions } from '../core/context.js';
import { optionalObject, optionalPositiveInteger } from '../core/validate.js';

export type {
  BillingCheckoutInput,
  BillingCheckoutSession,
  BillingPortalInput,
  BillingPortalSession,
  BillingSubscriptionPayload,
  CloudDiagnosticsBundle,
  CloudUsageSummary,
  UsageEvent,
};

function limitQuery(method: string, limit: number | undefined) {
  optionalPositiveInteger(limit, `${method}: limit`);
  return { limit };
}

/** Usage, quotas, the diagnostics bundle and the billing subscription. */
export function createCloudBillingClient(ctx: CloudClientContext) {
  const send = commandSender(ctx);

  return {
    /** `GET /api/usage/events?limit` → `.events` (the most recent first). */
    async listUsageEvents(limit?: number): Promise<UsageEvent[]> {
      const query = limitQuery('listUsageEvents', limit);
      return (await ctx.request<{ events: UsageEvent[] }>('/api/usage/events', { query })).events;
    },

    /** `GET /api/usage/summary?limit`: recent events, their totals and the quota windows. */
    async getUsageSummary(limit?: number): Promise<CloudUsageSummary> {
      return ctx.request<CloudUsageSummary>('/api/usage/summary', { query: limitQuery('getUsageSummary', limit) });
    },

    /** `GET /api/diagnostics`: a support bundle, secrets redacted. */
    async getDiagnosticsBundle(): Promise<CloudDiagnosticsBundle> {
      return ctx.request<CloudDiagnosticsBundle>('/api/diagnostics');
    },

    /** `GET /api/billing/subscription`: the subscription (or null), entitlements and plans. */
    async getBillingSubscription(): Promise<BillingSubscriptionPayload> {
      return ctx.request<BillingSubscriptionPayload>('/api/billing/subscription');
    },

    /** `POST /api/billing/checkout` → a provider checkout session; send the user to its `url`. */
    async createBillingCheckout(input?: BillingCheckoutInput, options: CloudCommandOptions = {}): Promise<BillingCheckoutSession> {
      const body = optionalObject(input, 'createBillingCheckout: input');
      return send<BillingCheckoutSession>('POST', '/api/billing/checkout', body, options);
    },

    /** `POST /api/billing/portal` → a provider billing-portal session; send the user to its `url`. */
    async createBillingPortal(input?: BillingPortalInput, options: CloudCommandOptions = {}): Promise<BillingPortalSession> {
      const body = optionalObject(input, 'createBillingPortal: input');
      return send<BillingPortalSession>('POST', '/api/billing/portal', body, options);
    },
  };
}

export type CloudBillingClient = ReturnType<typeof createCloudBillingClient>;
