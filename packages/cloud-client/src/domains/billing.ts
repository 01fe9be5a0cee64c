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
import type { CloudClientContext, CloudCommandOptions, HttpMethod } from '../core/context.js';
import { invalidRequest } from '../core/errors.js';

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
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
    throw invalidRequest(`${method}: limit must be a positive integer.`);
  }
  return { limit };
}

function optionalObject<T extends object>(method: string, input: T | undefined): T {
  if (input === undefined) return {} as T;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalidRequest(`${method}: input must be an object.`);
  }
  return input;
}

/** Usage, quotas, the diagnostics bundle and the billing subscription (wire contract §2.10). */
export function createCloudBillingClient(ctx: CloudClientContext) {
  /** A mutating call: `options` carry the per-call idempotency key and abort signal. */
  const send = <T>(method: HttpMethod, path: string, body: unknown, options: CloudCommandOptions = {}) =>
    ctx.request<T>(path, { method, body, idempotencyKey: options.idempotencyKey, signal: options.signal });

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
    async createBillingCheckout(
      input?: BillingCheckoutInput,
      options: CloudCommandOptions = {},
    ): Promise<BillingCheckoutSession> {
      const body = optionalObject('createBillingCheckout', input);
      return send<BillingCheckoutSession>('POST', '/api/billing/checkout', body, options);
    },

    /** `POST /api/billing/portal` → a provider billing-portal session; send the user to its `url`. */
    async createBillingPortal(
      input?: BillingPortalInput,
      options: CloudCommandOptions = {},
    ): Promise<BillingPortalSession> {
      const body = optionalObject('createBillingPortal', input);
      return send<BillingPortalSession>('POST', '/api/billing/portal', body, options);
    },
  };
}

export type CloudBillingClient = ReturnType<typeof createCloudBillingClient>;
