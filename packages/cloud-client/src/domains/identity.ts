import {
  API_TOKEN_SCOPES,
  ORG_MEMBER_ROLES as MEMBER_ROLES,
  ORG_MEMBER_STATUSES as MEMBER_STATUSES,
  type AdminAuditEvent,
  type AdminAuditEventPage,
  type ApiToken,
  type ApiTokenChannelBindingGrantResult,
  type ApiTokenIssueInput,
  type ApiTokenIssueResult,
  type ApiTokenScope,
  type CloudAdminPolicyOverview,
  type OrgMember,
  type OrgMemberInviteInput,
  type OrgMemberUpdateInput,
} from '@open-cowork/shared';
import { commandSender, type CloudClientContext, type CloudCommandOptions } from '../core/context.js';
import { iterateCursorPages } from '../core/paginate.js';
import { apiPath } from '../core/path.js';
import {
  check,
  isText,
  optionalOneOf,
  optionalPositiveInteger,
  optionalStrings,
  requireObject,
  requireOneOf,
  requireText,
} from '../core/validate.js';

export type {
  AdminAuditEvent,
  AdminAuditEventPage,
  ApiToken,
  ApiTokenChannelBindingGrantResult,
  ApiTokenIssueInput,
  ApiTokenIssueResult,
  ApiTokenScope,
  CloudAdminPolicyOverview,
  OrgMember,
  OrgMemberInviteInput,
  OrgMemberUpdateInput,
};

export interface ListOrgMembersQuery {
  /** Free-text filter on email and name; sent as `q`. */
  query?: string;
  limit?: number;
}

export interface AdminAuditPageQuery {
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

/** A list query: an object whose `limit`, if any, is a positive integer. */
function checkListQuery(method: string, query: { limit?: unknown }): void {
  requireObject(query, `${method}: the query`);
  optionalPositiveInteger(query.limit, `${method}: limit`);
}

function checkIssueInput(input: ApiTokenIssueInput): void {
  requireObject(input, 'issueApiToken: input');
  requireText(input.name, 'issueApiToken: name');
  const { scopes, expiresAt, channelBindingIds } = input;
  check(Array.isArray(scopes) && scopes.length > 0, 'issueApiToken: scopes must be a non-empty array.');
  scopes.forEach((scope) => requireOneOf(scope, API_TOKEN_SCOPES, 'issueApiToken: each scope'));
  check(expiresAt === undefined || isText(expiresAt), 'issueApiToken: expiresAt must be an ISO date string.');
  check(
    channelBindingIds === undefined || (Array.isArray(channelBindingIds) && channelBindingIds.every(isText)),
    'issueApiToken: channelBindingIds must be an array of non-empty strings.',
  );
}

function checkMemberUpdate(accountId: string, input: OrgMemberUpdateInput): void {
  requireObject(input, 'updateOrgMember: input');
  check(input.role !== undefined || input.status !== undefined, 'updateOrgMember: give a role or a status.');
  optionalOneOf(input.role, MEMBER_ROLES, 'updateOrgMember: role');
  optionalOneOf(input.status, MEMBER_STATUSES, 'updateOrgMember: status');
  // The server refuses to disable a member unless `confirm` repeats the account id; fail before I/O.
  const confirmed = input.status !== 'disabled' || input.confirm === accountId;
  check(confirmed, 'updateOrgMember: disabling a member requires confirm === accountId.');
}

/**
 * API tokens, org members, the admin policy and the admin audit log.
 * Most calls need an `admin` (or owner) principal; others answer kind `forbidden`.
 */
export function createCloudIdentityClient(ctx: CloudClientContext) {
  const send = commandSender(ctx);
  async function listAdminAuditEventsPage(query: AdminAuditPageQuery = {}): Promise<AdminAuditEventPage> {
    checkListQuery('listAdminAuditEventsPage', query);
    const { limit, cursor } = query;
    if (cursor !== undefined) requireText(cursor, 'listAdminAuditEventsPage: cursor');
    const page = await ctx.request<AdminAuditEventPage>('/api/admin/audit', { query: { limit, cursor } });
    return { events: page.events, nextCursor: page.nextCursor ?? null };
  }

  return {
    /** `GET /api/api-tokens?limit` → `.tokens` (no cursor: the server caps the list at `limit`). */
    async listApiTokens(query: { limit?: number } = {}): Promise<ApiToken[]> {
      checkListQuery('listApiTokens', query);
      return (await ctx.request<{ tokens: ApiToken[] }>('/api/api-tokens', { query: { limit: query.limit } })).tokens;
    },

    /** `POST /api/api-tokens` → `{token, plaintext}`. `plaintext` is sent this once only: store it now. */
    async issueApiToken(input: ApiTokenIssueInput, options: CloudCommandOptions = {}): Promise<ApiTokenIssueResult> {
      checkIssueInput(input);
      return send<ApiTokenIssueResult>('POST', '/api/api-tokens', input, options);
    },

    /** `DELETE /api/api-tokens/:id` → the revoked token; unknown id is kind `not_found`. */
    async revokeApiToken(tokenId: string, options: CloudCommandOptions = {}): Promise<ApiToken> {
      const path = apiPath`/api/api-tokens/${tokenId}`;
      return (await send<{ token: ApiToken }>('DELETE', path, undefined, options)).token;
    },

    /** `POST /api/api-tokens/:id/channel-bindings` → `{grant, token}`: lets a gateway token serve one more binding. */
    async grantApiTokenChannelBinding(
      tokenId: string,
      input: { channelBindingId: string },
      options: CloudCommandOptions = {},
    ): Promise<ApiTokenChannelBindingGrantResult> {
      const path = apiPath`/api/api-tokens/${tokenId}/channel-bindings`;
      const channelBindingId = input?.channelBindingId;
      requireText(channelBindingId, 'grantApiTokenChannelBinding: channelBindingId');
      const body = { channelBindingId };
      return send<ApiTokenChannelBindingGrantResult>('POST', path, body, options);
    },

    /** `GET /api/admin/policy` → `.policy`. */
    async getAdminPolicy(): Promise<CloudAdminPolicyOverview> {
      return (await ctx.request<{ policy: CloudAdminPolicyOverview }>('/api/admin/policy')).policy;
    },

    /** `GET /api/admin/members?q&limit` → `.members` (no cursor: the server caps the list at `limit`). */
    async listOrgMembers(query: ListOrgMembersQuery = {}): Promise<OrgMember[]> {
      checkListQuery('listOrgMembers', query);
      optionalStrings({ query: query.query }, 'listOrgMembers: ');
      const { members } = await ctx.request<{ members: OrgMember[] }>('/api/admin/members', {
        query: { q: query.query, limit: query.limit },
      });
      return members;
    },

    /** `POST /api/admin/members` → `.member` (status `invited`, role default `member`). */
    async inviteOrgMember(input: OrgMemberInviteInput, options: CloudCommandOptions = {}): Promise<OrgMember> {
      const email = input?.email;
      check(isText(email) && email.includes('@'), 'inviteOrgMember: email must be an email address.');
      optionalOneOf(input.role, MEMBER_ROLES, 'inviteOrgMember: role');
      const body = { email, role: input.role };
      return (await send<{ member: OrgMember }>('POST', '/api/admin/members', body, options)).member;
    },

    /**
     * `POST /api/admin/members/:accountId/update` → `.member`. Disabling requires
     * `confirm === accountId` (checked here too, kind `request`).
     */
    async updateOrgMember(accountId: string, input: OrgMemberUpdateInput, options: CloudCommandOptions = {}): Promise<OrgMember> {
      const path = apiPath`/api/admin/members/${accountId}/update`;
      checkMemberUpdate(accountId, input);
      const body = { role: input.role, status: input.status, confirm: input.confirm };
      return (await send<{ member: OrgMember }>('POST', path, body, options)).member;
    },

    /**
     * `GET /api/admin/audit?limit` → the events of the **first page only** (the contract's shape).
     * Use `listAdminAuditEventsPage` to page, or `iterateAdminAuditEvents` to walk the whole log.
     */
    async listAdminAuditEvents(limit?: number): Promise<AdminAuditEvent[]> {
      return (await listAdminAuditEventsPage({ limit })).events;
    },

    /** `GET /api/admin/audit?limit&cursor` → one page `{events, nextCursor}`. */
    listAdminAuditEventsPage,

    /** Every audit event, fetched page by page (`limit` = page size) as the loop pulls. */
    iterateAdminAuditEvents(query: { limit?: number } = {}): AsyncGenerator<AdminAuditEvent, void, undefined> {
      return iterateCursorPages(
        (cursor) => listAdminAuditEventsPage({ limit: query.limit, cursor }),
        (page) => page.events,
      );
    },
  };
}

export type CloudIdentityClient = ReturnType<typeof createCloudIdentityClient>;
