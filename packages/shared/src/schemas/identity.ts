import { Type } from '@sinclair/typebox';
import { API_TOKEN_SCOPES, ORG_MEMBER_ROLES, ORG_MEMBER_STATUSES } from '../identity.js';
import { Id, literals, Nullable, Timestamp } from './common.js';

/** API tokens, org members and invites. The admin policy and audit log are in `admin.ts`. */

const Limit = (max: number, fallback: number) => Type.Integer({ minimum: 1, maximum: max, default: fallback });
export const OrgMemberRoleSchema = literals(ORG_MEMBER_ROLES);
export const OrgMemberStatusSchema = literals(ORG_MEMBER_STATUSES);
export const ApiTokenScopeSchema = literals(API_TOKEN_SCOPES);

// ------------------------------------------------------------------ records

/** An API (service) token. The secret is shown once, at issue time; only `last4` is kept. */
export const ApiTokenSchema = Type.Object({
  tokenId: Type.String(),
  orgId: Type.String(),
  accountId: Nullable(Type.String()),
  name: Type.String(),
  scopes: Type.Array(ApiTokenScopeSchema),
  /** Channel bindings a `gateway` token may serve; empty for other tokens. */
  channelBindingIds: Type.Array(Type.String()),
  last4: Type.String(),
  expiresAt: Nullable(Timestamp),
  revokedAt: Nullable(Timestamp),
  lastUsedAt: Nullable(Timestamp),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const ApiTokenChannelBindingGrantSchema = Type.Object({
  orgId: Type.String(),
  tokenId: Type.String(),
  channelBindingId: Type.String(),
  createdAt: Timestamp,
});

export const OrgMemberSchema = Type.Object({
  orgId: Type.String(),
  accountId: Type.String(),
  email: Type.String(),
  displayName: Nullable(Type.String()),
  role: OrgMemberRoleSchema,
  status: OrgMemberStatusSchema,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

// ------------------------------------------------------------------ requests

export const TokenParams = Type.Object({ id: Id });
export const TokenListQuery = Type.Object({ limit: Limit(500, 100) });
export const IssueTokenBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  /** At least one scope. */
  scopes: Type.Array(ApiTokenScopeSchema, { minItems: 1, uniqueItems: true }),
  expiresAt: Type.Optional(Timestamp),
  channelBindingIds: Type.Optional(Type.Array(Id, { maxItems: 100 })),
});
export const GrantBody = Type.Object({ channelBindingId: Id });
export const MembersQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  /** Alias of `q`. */
  query: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Limit(500, 100),
});
export const InviteBody = Type.Object({
  email: Type.String({ format: 'email', maxLength: 320 }),
  /** Default `member`. */
  role: Type.Optional(OrgMemberRoleSchema),
});
export const AcceptInviteBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 4096 }) });
export const MemberParams = Type.Object({ accountId: Id });
export const MemberUpdateBody = Type.Object({
  role: Type.Optional(OrgMemberRoleSchema),
  status: Type.Optional(OrgMemberStatusSchema),
  /** Must equal the account id when `status` is `disabled`: a guard against disabling the wrong member. */
  confirm: Type.Optional(Type.String()),
});

// ------------------------------------------------------------------ responses

export const TokenListResponse = Type.Object({ tokens: Type.Array(ApiTokenSchema) });
/** 201 answer of `POST /api/api-tokens`: the only time `plaintext` is ever sent. */
export const IssueTokenResponse = Type.Object({ token: ApiTokenSchema, plaintext: Type.String() });
export const RevokeTokenResponse = Type.Object({ token: ApiTokenSchema, revoked: Type.Boolean() });
export const GrantResponse = Type.Object({ grant: ApiTokenChannelBindingGrantSchema, token: ApiTokenSchema });
export const MemberListResponse = Type.Object({ members: Type.Array(OrgMemberSchema) });
export const MemberResponse = Type.Object({ member: OrgMemberSchema });
/** 201 answer of `POST /api/admin/members`: the invited member and the token that accepts the invite. */
export const InviteResponse = Type.Object({ member: OrgMemberSchema, inviteToken: Type.String(), inviteExpiresAt: Timestamp });
