import {
  API_TOKEN_SCOPES,
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
  type OrgMemberRole,
  type OrgMemberStatus,
  type OrgMemberUpdateInput,
} from '@open-cowork/shared';
import type { CloudClientContext, CloudCommandOptions, HttpMethod } from '../core/context.js';
import { invalidRequest } from '../core/errors.js';
import { iterateCursorPages } from '../core/paginate.js';
import { apiPath } from '../core/path.js';

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

const MEMBER_ROLES: readonly OrgMemberRole[] = ['owner', 'admin', 'member'];
const MEMBER_STATUSES: readonly OrgMemberStatus[] = ['active', 'invited', 'disabled'];

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw invalidRequest(message);
}

const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/** A list query: an object whose `limit`, if any, is a positive integer. */
function checkListQuery(method: string, query: { limit?: unknown }): void {
  check(typeof query === 'object' && query !== null, `${method}: the query must be an object.`);
  const { limit } = query;
  check(
    limit === undefined || (Number.isInteger(limit) && (limit as number) > 0),
    `${method}: limit must be a positive integer.`,
  );
}

/** `value` is absent or one of `allowed`. */
function checkOneOf(where: string, value: unknown, allowed: readonly string[]): void {
  check(value === undefined || allowed.includes(value as string), `${where} must be one of ${allowed.join(', ')}.`);
}

function checkIssueInput(input: ApiTokenIssueInput): void {
  check(typeof input === 'object' && input !== null, 'issueApiToken: input must be an object.');
  check(isNonEmptyString(input.name), 'issueApiToken: name must be a non-empty string.');
  const { scopes, expiresAt, channelBindingIds } = input;
  check(Array.isArray(scopes) && scopes.length > 0, 'issueApiToken: scopes must be a non-empty array.');
  scopes.forEach((scope) => checkOneOf('issueApiToken: each scope', scope, API_TOKEN_SCOPES));
  check(expiresAt === undefined || isNonEmptyString(expiresAt), 'issueApiToken: expiresAt must be an ISO date string.');
  check(
    channelBindingIds === undefined || (Array.isArray(channelBindingIds) && channelBindingIds.every(isNonEmptyString)),
    'issueApiToken: channelBindingIds must be an array of non-empty strings.',
  );
}

function checkMemberUpdate(accountId: string, input: OrgMemberUpdateInput): void {
  check(typeof input === 'object' && input !== null, 'updateOrgMember: input must be an object.');
  check(input.role !== undefined || input.status !== undefined, 'updateOrgMember: give a role or a status.');
  checkOneOf('updateOrgMember: role', input.role, MEMBER_ROLES);
  checkOneOf('updateOrgMember: status', input.status, MEMBER_STATUSES);
  // The server refuses to disable a member unless `confirm` repeats the account id; fail before I/O.
  const confirmed = input.status !== 'disabled' || input.confirm === accountId;
  check(confirmed, 'updateOrgMember: disabling a member requires confirm === accountId.');
}

/**
 * API tokens, org members, the admin policy and the admin audit log (wire contract §2.11).
 * Most calls need an `admin` (or owner) principal; others answer kind `forbidden`.
 */
export function createCloudIdentityClient(ctx: CloudClientContext) {
  /** A mutating call: `options` carry the per-call idempotency key and abort signal. */
  const send = <T>(method: HttpMethod, path: string, body: unknown, options: CloudCommandOptions = {}) =>
    ctx.request<T>(path, { method, body, idempotencyKey: options.idempotencyKey, signal: options.signal });
  async function listAdminAuditEventsPage(query: AdminAuditPageQuery = {}): Promise<AdminAuditEventPage> {
    checkListQuery('listAdminAuditEventsPage', query);
    const { limit, cursor } = query;
    check(
      cursor === undefined || isNonEmptyString(cursor),
      'listAdminAuditEventsPage: cursor must be a non-empty string.',
    );
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
      check(
        isNonEmptyString(channelBindingId),
        'grantApiTokenChannelBinding: channelBindingId must be a non-empty string.',
      );
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
      check(query.query == null || typeof query.query === 'string', 'listOrgMembers: query must be a string.');
      const { members } = await ctx.request<{ members: OrgMember[] }>('/api/admin/members', {
        query: { q: query.query, limit: query.limit },
      });
      return members;
    },

    /** `POST /api/admin/members` → `.member` (status `invited`, role default `member`). */
    async inviteOrgMember(input: OrgMemberInviteInput, options: CloudCommandOptions = {}): Promise<OrgMember> {
      const email = input?.email;
      check(isNonEmptyString(email) && email.includes('@'), 'inviteOrgMember: email must be an email address.');
      checkOneOf('inviteOrgMember: role', input.role, MEMBER_ROLES);
      const body = { email, role: input.role };
      return (await send<{ member: OrgMember }>('POST', '/api/admin/members', body, options)).member;
    },

    /**
     * `POST /api/admin/members/:accountId/update` → `.member`. Disabling requires
     * `confirm === accountId` (checked here too, kind `request`).
     */
    async updateOrgMember(
      accountId: string,
      input: OrgMemberUpdateInput,
      options: CloudCommandOptions = {},
    ): Promise<OrgMember> {
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
