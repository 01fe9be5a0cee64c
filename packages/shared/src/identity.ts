/**
 * API tokens, org members, admin policy and audit wire records: their schemas are in
 * `schemas/identity.ts` and `schemas/admin.ts`.
 */

import type { Static } from '@sinclair/typebox';
import type * as A from './schemas/admin.js';
import type * as S from './schemas/identity.js';

export const API_TOKEN_SCOPES = ['desktop', 'gateway', 'admin', 'operator', 'worker-internal'] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];

export const ORG_MEMBER_ROLES = ['owner', 'admin', 'member'] as const;
export type OrgMemberRole = (typeof ORG_MEMBER_ROLES)[number];
export const ORG_MEMBER_STATUSES = ['active', 'invited', 'disabled'] as const;
export type OrgMemberStatus = (typeof ORG_MEMBER_STATUSES)[number];

/** Who may sign up to an org on their own. */
export const SIGNUP_MODES = ['disabled', 'invite', 'domain', 'open'] as const;

/** An API (service) token. The secret is shown once, at issue time; only `last4` is kept. */
export type ApiToken = Static<typeof S.ApiTokenSchema>;
/** Body of `POST /api/api-tokens`. */
export type ApiTokenIssueInput = Static<typeof S.IssueTokenBody>;
/** 201 answer of `POST /api/api-tokens`: the only time `plaintext` is ever sent. */
export type ApiTokenIssueResult = Static<typeof S.IssueTokenResponse>;
export type ApiTokenChannelBindingGrant = Static<typeof S.ApiTokenChannelBindingGrantSchema>;
/** Answer of `POST /api/api-tokens/:id/channel-bindings`. */
export type ApiTokenChannelBindingGrantResult = Static<typeof S.GrantResponse>;
export type OrgMember = Static<typeof S.OrgMemberSchema>;
/** Body of `POST /api/admin/members`. */
export type OrgMemberInviteInput = Static<typeof S.InviteBody>;
/** Body of `POST /api/admin/members/:accountId/update`. */
export type OrgMemberUpdateInput = Static<typeof S.MemberUpdateBody>;
/** One admin audit log entry. */
export type AdminAuditEvent = Static<typeof A.AuditEventSchema>;
/** One page of `GET /api/admin/audit`. */
export type AdminAuditEventPage = Static<typeof A.AuditPageResponse>;
/** The org's effective policy as an admin sees it (`GET /api/admin/policy`). */
export type CloudAdminPolicyOverview = Static<typeof A.AdminPolicySchema>;
