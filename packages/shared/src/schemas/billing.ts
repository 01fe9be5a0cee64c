import { Type } from '@sinclair/typebox';
import { BILLING_MODES, BILLING_SUBSCRIPTION_STATUSES, USAGE_UNITS } from '../billing.js';
import { JsonObject as Obj, literals, Nullable, Timestamp as Iso } from './common.js';

/** TypeBox schemas of the usage, diagnostics and billing routes. */

const NullableString = Nullable(Type.String());

export const LimitQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) });

export const UsageEventSchema = Type.Object({
  eventId: Type.String(),
  orgId: Type.String(),
  accountId: NullableString,
  eventType: Type.String(),
  quantity: Type.Number(),
  unit: Type.String(),
  metadata: Obj,
  createdAt: Iso,
});

export const UsageEventsResponse = Type.Object({ events: Type.Array(UsageEventSchema) });

export const UsageTotalSchema = Type.Object({ eventType: Type.String(), unit: Type.String(), quantity: Type.Number() });

export const UsageQuotaSchema = Type.Object({
  quotaKey: Type.String(),
  label: Type.String(),
  unit: literals(USAGE_UNITS),
  enabled: Type.Boolean(),
  /** Null when unlimited. */
  limit: Nullable(Type.Number()),
  used: Type.Number(),
  /** Null when unlimited. */
  remaining: Nullable(Type.Number()),
  windowMs: Type.Number(),
  windowStartedAt: Iso,
  resetAt: Iso,
  /** The error `code` a request gets once the quota is exhausted. */
  policyCode: Type.String(),
});

export const UsageSummarySchema = Type.Object({
  enabled: Type.Boolean(),
  generatedAt: Iso,
  /** `'recent_events'`: `totals` cover only the sampled events, not all time. */
  totalsScope: Type.Optional(Type.Literal('recent_events')),
  eventSampleLimit: Type.Optional(Type.Integer()),
  events: Type.Array(UsageEventSchema),
  totals: Type.Array(UsageTotalSchema),
  quotas: Type.Array(UsageQuotaSchema),
});

export const BillingSubscriptionSchema = Type.Object({
  orgId: Type.String(),
  providerId: Type.String(),
  providerCustomerId: NullableString,
  providerSubscriptionId: NullableString,
  planKey: Type.String(),
  status: literals(BILLING_SUBSCRIPTION_STATUSES),
  seats: Type.Integer(),
  entitlements: Obj,
  currentPeriodEnd: Nullable(Iso),
  cancelAtPeriodEnd: Type.Boolean(),
  metadata: Obj,
  createdAt: Iso,
  updatedAt: Iso,
});

export const BillingPlanSchema = Type.Object({ planKey: Type.String(), label: Type.String(), default: Type.Boolean(), entitlements: Obj });

export const BillingSubscriptionPayloadSchema = Type.Object({
  enabled: Type.Boolean(),
  mode: Type.Optional(literals(BILLING_MODES)),
  providerId: NullableString,
  subscription: Nullable(BillingSubscriptionSchema),
  entitlements: Obj,
  active: Type.Boolean(),
  plans: Type.Optional(Type.Array(BillingPlanSchema)),
});

export const DiagnosticsSchema = Type.Object({
  generatedAt: Iso,
  redaction: Type.Literal('secrets-redacted'),
  org: Obj,
  runtime: Obj,
  billing: BillingSubscriptionPayloadSchema,
  byok: Type.Object({ configuredProviders: Type.Integer(), providers: Type.Array(Type.Unknown()) }),
  usage: UsageSummarySchema,
  gateway: Type.Object({
    agents: Type.Integer(),
    bindingsByProvider: Type.Record(Type.String(), Type.Integer()),
    deliveriesByStatus: Type.Record(Type.String(), Type.Integer()),
    deliveriesByStatusScope: Type.Optional(Type.String()),
    deliverySampleLimit: Type.Optional(Type.Integer()),
  }),
  links: Type.Record(Type.String(), Type.String()),
});

const Url = Type.String({ minLength: 1, maxLength: 2048, pattern: '^https?://' });

export const CheckoutBody = Type.Object({
  planKey: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  successUrl: Type.Optional(Url),
  cancelUrl: Type.Optional(Url),
});
export const PortalBody = Type.Object({ returnUrl: Type.Optional(Url) });

export const CheckoutResponse = Type.Object({
  providerId: Type.String(),
  providerSessionId: NullableString,
  /** Where to send the user to pay. */
  url: Type.String(),
});
export const PortalResponse = Type.Object({ providerId: Type.String(), url: Type.String() });
