/** API tokens, org members, admin policy and audit wire records. */

export const API_TOKEN_SCOPES = ['desktop', 'gateway', 'admin', 'operator', 'worker-internal'] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];

/** An API (service) token. The secret is shown once, at issue time; only `last4` is kept. */
export interface ApiToken {
  tokenId: string;
  orgId: string;
  accountId: string | null;
  name: string;
  scopes: ApiTokenScope[];
  /** Channel bindings a `gateway` token may serve; empty for other tokens. */
  channelBindingIds: string[];
  last4: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Body of `POST /api/api-tokens`. */
export interface ApiTokenIssueInput {
  name: string;
  /** At least one scope. */
  scopes: ApiTokenScope[];
  /** ISO 8601. */
  expiresAt?: string;
  channelBindingIds?: string[];
}

/** 201 answer of `POST /api/api-tokens`: the only time `plaintext` is ever sent. */
export interface ApiTokenIssueResult {
  token: ApiToken;
  plaintext: string;
}

export interface ApiTokenChannelBindingGrant {
  orgId: string;
  tokenId: string;
  channelBindingId: string;
  createdAt: string;
}

/** Answer of `POST /api/api-tokens/:id/channel-bindings`. */
export interface ApiTokenChannelBindingGrantResult {
  grant: ApiTokenChannelBindingGrant;
  token: ApiToken;
}

export type OrgMemberRole = 'owner' | 'admin' | 'member';
export type OrgMemberStatus = 'active' | 'invited' | 'disabled';

export interface OrgMember {
  orgId: string;
  accountId: string;
  email: string;
  displayName: string | null;
  role: OrgMemberRole;
  status: OrgMemberStatus;
  createdAt: string;
  updatedAt: string;
}

/** Body of `POST /api/admin/members`. */
export interface OrgMemberInviteInput {
  email: string;
  /** Default `member`. */
  role?: OrgMemberRole;
}

/** Body of `POST /api/admin/members/:accountId/update`. */
export interface OrgMemberUpdateInput {
  role?: OrgMemberRole;
  status?: OrgMemberStatus;
  /** Must equal the account id when `status` is `disabled`: a guard against disabling the wrong member. */
  confirm?: string;
}

/** One admin audit log entry. Only the keyset fields are fixed; the rest depends on the action. */
export interface AdminAuditEvent {
  eventId: string;
  createdAt: string;
  [field: string]: unknown;
}

/** One page of `GET /api/admin/audit`. */
export interface AdminAuditEventPage {
  events: AdminAuditEvent[];
  nextCursor: string | null;
}

/** The org's effective policy as an admin sees it (`GET /api/admin/policy`). */
export interface CloudAdminPolicyOverview {
  org: { orgId: string; tenantId: string; name: string; planKey: string; status: string };
  signup: {
    mode: 'disabled' | 'invite' | 'domain' | 'open';
    allowSelfServiceSignup: boolean;
    allowedEmailDomains: string[];
    invitesEnabled: boolean;
  };
  profile: { name: string; label: string; description: string };
  features: Record<string, boolean>;
  allowedAgents: string[] | null;
  allowedTools: string[] | null;
  allowedMcps: string[] | null;
  runtime: {
    configSource: string;
    machineRuntimeConfig: string;
    localStdioMcps: string;
    hostProjectDirectories: string;
  };
  projectSources: Record<string, unknown>;
  gateway: { channelsEnabled: boolean; webhooksEnabled: boolean };
  providerKeys?: {
    allowedProviderIds: string[];
    kmsRefsEnabled: boolean;
    kmsRefPrefixesConfigured: boolean;
    envRefsEnabled: boolean;
  };
}
