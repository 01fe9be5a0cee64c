/** Usage, quota, diagnostics and billing wire records: their schemas are in `schemas/billing.ts`. */

import type { Static } from '@sinclair/typebox';
import type * as S from './schemas/billing.js';

export const USAGE_UNITS = ['count', 'byte', 'minute'] as const;
export const BILLING_MODES = ['disabled', 'self-host', 'managed'] as const;
export const BILLING_SUBSCRIPTION_STATUSES = ['trialing', 'active', 'past_due', 'canceled', 'incomplete'] as const;
export type BillingSubscriptionStatus = (typeof BILLING_SUBSCRIPTION_STATUSES)[number];

/** One metered usage event (a prompt, a claimed delivery, stored bytes, …). */
export type UsageEvent = Static<typeof S.UsageEventSchema>;
export type UsageTotal = Static<typeof S.UsageTotalSchema>;
export type UsageQuota = Static<typeof S.UsageQuotaSchema>;
/** Usage summary: recent events, their totals and the quota windows. */
export type CloudUsageSummary = Static<typeof S.UsageSummarySchema>;
export type BillingSubscription = Static<typeof S.BillingSubscriptionSchema>;
export type BillingPlan = Static<typeof S.BillingPlanSchema>;
/** `GET /api/billing/subscription`: the org's subscription (if any) and its effective entitlements. */
export type BillingSubscriptionPayload = Static<typeof S.BillingSubscriptionPayloadSchema>;
/** `GET /api/diagnostics`: a support bundle with secrets redacted. */
export type CloudDiagnosticsBundle = Static<typeof S.DiagnosticsSchema>;
/** Body of `POST /api/billing/checkout`. */
export type BillingCheckoutInput = Static<typeof S.CheckoutBody>;
export type BillingCheckoutSession = Static<typeof S.CheckoutResponse>;
/** Body of `POST /api/billing/portal`. */
export type BillingPortalInput = Static<typeof S.PortalBody>;
export type BillingPortalSession = Static<typeof S.PortalResponse>;
