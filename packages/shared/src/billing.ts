/** Usage, quota, diagnostics and billing wire records. */

/** One metered usage event (a prompt, a claimed delivery, stored bytes, …). */
export interface UsageEvent {
  eventId: string;
  orgId: string;
  accountId: string | null;
  eventType: string;
  quantity: number;
  unit: string;
  metadata: Record<string, unknown>;
  createdAt: string;
}

export interface UsageTotal {
  eventType: string;
  unit: string;
  quantity: number;
}

export interface UsageQuota {
  quotaKey: string;
  label: string;
  unit: 'count' | 'byte' | 'minute';
  enabled: boolean;
  /** Null when unlimited. */
  limit: number | null;
  used: number;
  /** Null when unlimited. */
  remaining: number | null;
  windowMs: number;
  windowStartedAt: string;
  resetAt: string;
  /** The error `code` a request gets once the quota is exhausted. */
  policyCode: string;
}

/** Usage summary: recent events, their totals and the quota windows. */
export interface CloudUsageSummary {
  enabled: boolean;
  generatedAt: string;
  /** `'recent_events'`: `totals` cover only the sampled events, not all time. */
  totalsScope?: 'recent_events';
  eventSampleLimit?: number;
  events: UsageEvent[];
  totals: UsageTotal[];
  quotas: UsageQuota[];
}

export type BillingSubscriptionStatus = 'trialing' | 'active' | 'past_due' | 'canceled' | 'incomplete';

export interface BillingSubscription {
  orgId: string;
  providerId: string;
  providerCustomerId: string | null;
  providerSubscriptionId: string | null;
  planKey: string;
  status: BillingSubscriptionStatus;
  seats: number;
  entitlements: Record<string, unknown>;
  currentPeriodEnd: string | null;
  cancelAtPeriodEnd: boolean;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface BillingPlan {
  planKey: string;
  label: string;
  default: boolean;
  entitlements: Record<string, unknown>;
}

/** `GET /api/billing/subscription`: the org's subscription (if any) and its effective entitlements. */
export interface BillingSubscriptionPayload {
  enabled: boolean;
  mode?: 'disabled' | 'self-host' | 'managed';
  providerId: string | null;
  subscription: BillingSubscription | null;
  entitlements: Record<string, unknown>;
  active: boolean;
  plans?: BillingPlan[];
}

/** `GET /api/diagnostics`: a support bundle with secrets redacted. */
export interface CloudDiagnosticsBundle {
  generatedAt: string;
  redaction: 'secrets-redacted';
  org: Record<string, unknown>;
  runtime: Record<string, unknown>;
  billing: BillingSubscriptionPayload;
  byok: { configuredProviders: number; providers: unknown[] };
  usage: CloudUsageSummary;
  gateway: {
    agents: number;
    bindingsByProvider: Record<string, number>;
    deliveriesByStatus: Record<string, number>;
    deliveriesByStatusScope?: string;
    deliverySampleLimit?: number;
  };
  links: Record<string, string>;
}

/** Body of `POST /api/billing/checkout`. */
export interface BillingCheckoutInput {
  planKey?: string;
  successUrl?: string;
  cancelUrl?: string;
}

export interface BillingCheckoutSession {
  providerId: string;
  providerSessionId: string | null;
  /** Where to send the user to pay. */
  url: string;
}

/** Body of `POST /api/billing/portal`. */
export interface BillingPortalInput {
  returnUrl?: string;
}

export interface BillingPortalSession {
  providerId: string;
  url: string;
}
