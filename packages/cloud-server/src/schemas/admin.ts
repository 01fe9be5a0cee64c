import { Type } from '@sinclair/typebox';

/** TypeBox schemas of the admin policy and audit routes. */

const Str = Type.String();
const StringList = Type.Union([Type.Array(Str), Type.Null()]);

const AdminPolicySchema = Type.Object({
  org: Type.Object({ orgId: Str, tenantId: Str, name: Str, planKey: Str, status: Str }),
  signup: Type.Object({
    mode: Type.Union([Type.Literal('disabled'), Type.Literal('invite'), Type.Literal('domain'), Type.Literal('open')]),
    allowSelfServiceSignup: Type.Boolean(),
    allowedEmailDomains: Type.Array(Str),
    invitesEnabled: Type.Boolean(),
  }),
  profile: Type.Object({ name: Str, label: Str, description: Str }),
  features: Type.Record(Str, Type.Boolean()),
  allowedAgents: StringList,
  allowedTools: StringList,
  allowedMcps: StringList,
  runtime: Type.Object({ configSource: Str, machineRuntimeConfig: Str, localStdioMcps: Str, hostProjectDirectories: Str }),
  projectSources: Type.Record(Str, Type.Unknown()),
  gateway: Type.Object({ channelsEnabled: Type.Boolean(), webhooksEnabled: Type.Boolean() }),
  providerKeys: Type.Optional(
    Type.Object({
      allowedProviderIds: Type.Array(Str),
      kmsRefsEnabled: Type.Boolean(),
      kmsRefPrefixesConfigured: Type.Boolean(),
      envRefsEnabled: Type.Boolean(),
    }),
  ),
});

export const AdminPolicyResponse = Type.Object({ policy: AdminPolicySchema });

export const AuditQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  targetType: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  targetId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  actorUserId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});

const AuditEventSchema = Type.Object({
  eventId: Str,
  createdAt: Type.String({ format: 'date-time' }),
  orgId: Str,
  actorUserId: Type.Union([Str, Type.Null()]),
  actorTokenId: Type.Union([Str, Type.Null()]),
  action: Str,
  targetType: Str,
  targetId: Str,
  metadata: Type.Record(Str, Type.Unknown()),
  detail: Type.Record(Str, Type.Unknown()),
});

export const AuditPageResponse = Type.Object({ events: Type.Array(AuditEventSchema), nextCursor: Type.Union([Str, Type.Null()]) });
