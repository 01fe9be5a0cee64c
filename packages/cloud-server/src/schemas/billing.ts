import { Type } from '@sinclair/typebox';

/** TypeBox schemas of the usage, diagnostics and billing routes. */

const Iso = Type.String({ format: 'date-time' });
const Obj = Type.Record(Type.String(), Type.Unknown());
const NullableString = Type.Union([Type.String(), Type.Null()]);

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

const UsageQuotaSchema = Type.Object({
  quotaKey: Type.String(),
  label: Type.String(),
  unit: Type.Union([Type.Literal('count'), Type.Literal('byte'), Type.Literal('minute')]),
  enabled: Type.Boolean(),
  limit: Type.Union([Type.Number(), Type.Null()]),
  used: Type.Number(),
  remaining: Type.Union([Type.Number(), Type.Null()]),
  windowMs: Type.Number(),
  windowStartedAt: Iso,
  resetAt: Iso,
  policyCode: Type.String(),
});

export const UsageSummarySchema = Type.Object({
  enabled: Type.Boolean(),
  generatedAt: Iso,
  totalsScope: Type.Optional(Type.Literal('recent_events')),
  eventSampleLimit: Type.Optional(Type.Integer()),
  events: Type.Array(UsageEventSchema),
  totals: Type.Array(Type.Object({ eventType: Type.String(), unit: Type.String(), quantity: Type.Number() })),
  quotas: Type.Array(UsageQuotaSchema),
});

export const BillingSubscriptionPayloadSchema = Type.Object({
  enabled: Type.Boolean(),
  mode: Type.Optional(Type.Union([Type.Literal('disabled'), Type.Literal('self-host'), Type.Literal('managed')])),
  providerId: NullableString,
  subscription: Type.Union([Obj, Type.Null()]),
  entitlements: Obj,
  active: Type.Boolean(),
  plans: Type.Optional(
    Type.Array(Type.Object({ planKey: Type.String(), label: Type.String(), default: Type.Boolean(), entitlements: Obj })),
  ),
});

export const DiagnosticsSchema = Type.Object({
  generatedAt: Iso,
  redaction: Type.Literal('secrets-redacted'),
  org: Obj,
  runtime: Obj,
  billing: BillingSubscriptionPayloadSchema,
  byok: Type.Object({ configuredProviders: Type.Integer(), providers: Type.Array(Obj) }),
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

export const CheckoutResponse = Type.Object({ providerId: Type.String(), providerSessionId: NullableString, url: Type.String() });
export const PortalResponse = Type.Object({ providerId: Type.String(), url: Type.String() });
