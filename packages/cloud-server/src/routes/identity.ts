import { admin as adminSchemas, identity as identitySchemas } from '@open-cowork/shared/schemas';
import type { ApiTokenScope } from '@open-cowork/shared';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createInviteToken, readInviteToken } from '../auth/invites.js';
import { httpError } from '../errors.js';
import type { Queryable } from '../store/db.js';
import { toOrgMember } from '../store/tenants.js';

const { AuditPageResponse, AuditQuery } = adminSchemas;

const {
  AcceptInviteBody: AcceptBody,
  GrantBody,
  GrantResponse,
  InviteBody,
  InviteResponse,
  IssueTokenBody: IssueBody,
  IssueTokenResponse,
  MemberListResponse,
  MemberParams,
  MemberResponse,
  MemberUpdateBody,
  MembersQuery,
  RevokeTokenResponse,
  TokenListQuery,
  TokenListResponse,
  TokenParams,
} = identitySchemas;

/** Scopes that hand out server-wide power: only the operator provisions them, never an org admin. */
const OPERATOR_ISSUED_SCOPES: readonly ApiTokenScope[] = ['operator', 'worker-internal'];

/** API tokens, org administration and invites. */
export async function identityRoutes(app: FastifyInstance) {
  const { tokens, tenants, members, authSessions } = app.stores;
  const admin = { config: { access: 'admin' as const } };

  /** One audit event through `app.audit`, in `q`: the transaction of the change. */
  const audit = (
    q: Queryable,
    request: FastifyRequest,
    action: string,
    targetType: string,
    targetId: string,
    metadata?: Record<string, unknown>,
  ) => app.audit.record(q, request.principal, { action, targetType, targetId, ...(metadata ? { metadata } : {}) });

  /** 404 unless every id names a channel binding of the org (once the channel tables exist). */
  const requireBindings = async (q: Queryable, orgId: string, bindingIds: readonly string[]) => {
    const missing = await members.missingChannelBindings(q, orgId, bindingIds);
    if (missing.length > 0) {
      throw httpError('identity.channel_binding_not_found', `No channel binding has the id "${missing[0]}".`, {
        body: { channelBindingIds: missing },
      });
    }
  };

  const existingToken = async (orgId: string, tokenId: string) => {
    const token = await tokens.get(app.db, orgId, tokenId);
    if (!token) throw httpError('identity.token_not_found', 'API token was not found.');
    return token;
  };

  app.get<{ Querystring: Static<typeof TokenListQuery> }>(
    '/api/api-tokens',
    { ...admin, schema: { querystring: TokenListQuery, response: { 200: TokenListResponse } } },
    async (request) => ({ tokens: await tokens.list(app.db, request.principal.orgId, request.query.limit) }),
  );

  app.post<{ Body: Static<typeof IssueBody> }>(
    '/api/api-tokens',
    { ...admin, schema: { body: IssueBody, response: { 201: IssueTokenResponse } } },
    async (request, reply) => {
      const { name, scopes, expiresAt, channelBindingIds } = request.body;
      if (scopes.some((scope) => OPERATOR_ISSUED_SCOPES.includes(scope))) {
        throw httpError('identity.scope_not_allowed', 'Operator and worker-internal tokens are provisioned by the operator.');
      }
      if (channelBindingIds?.length && !scopes.includes('gateway')) {
        throw httpError('identity.channel_bindings_need_gateway', 'Only gateway tokens can be limited to channel bindings.');
      }
      if (expiresAt && Date.parse(expiresAt) <= Date.now()) {
        throw httpError('identity.expires_at_past', 'expiresAt must be in the future.');
      }
      const issued = await app.db.transaction(async (tx) => {
        await requireBindings(tx, request.principal.orgId, channelBindingIds ?? []);
        const created = await tokens.issue(tx, {
          orgId: request.principal.orgId,
          accountId: request.principal.userId,
          name,
          scopes,
          expiresAt: expiresAt ?? null,
          channelBindingIds: channelBindingIds ?? [],
        });
        await audit(tx, request, 'api_token.issued', 'api_token', created.token.tokenId, {
          name,
          scopes,
          channelBindingIds: created.token.channelBindingIds,
        });
        return created;
      });
      return reply.status(201).send(issued);
    },
  );

  app.delete<{ Params: Static<typeof TokenParams> }>(
    '/api/api-tokens/:id',
    { ...admin, schema: { params: TokenParams, response: { 200: RevokeTokenResponse } } },
    async (request) => {
      await existingToken(request.principal.orgId, request.params.id);
      const token = await app.db.transaction(async (tx) => {
        const revoked = (await tokens.revoke(tx, request.principal.orgId, request.params.id))!;
        await audit(tx, request, 'api_token.revoked', 'api_token', revoked.tokenId);
        return revoked;
      });
      return { token, revoked: true };
    },
  );

  app.post<{ Params: Static<typeof TokenParams>; Body: Static<typeof GrantBody> }>(
    '/api/api-tokens/:id/channel-bindings',
    { ...admin, schema: { params: TokenParams, body: GrantBody, response: { 200: GrantResponse } } },
    async (request) => {
      const { orgId } = request.principal;
      const token = await existingToken(orgId, request.params.id);
      if (token.revokedAt) throw httpError('identity.token_revoked', 'This API token has been revoked.');
      if (!token.scopes.includes('gateway')) {
        throw httpError('identity.token_not_gateway', 'Only gateway tokens can be granted channel bindings.');
      }
      const grant = await app.db.transaction(async (tx) => {
        await requireBindings(tx, orgId, [request.body.channelBindingId]);
        const granted = await tokens.grant(tx, orgId, token.tokenId, request.body.channelBindingId);
        await audit(tx, request, 'api_token.channel_binding_granted', 'api_token', token.tokenId, {
          channelBindingId: granted.channelBindingId,
        });
        return granted;
      });
      return { grant, token: await existingToken(orgId, token.tokenId) };
    },
  );

  app.get<{ Querystring: Static<typeof MembersQuery> }>(
    '/api/admin/members',
    { ...admin, schema: { querystring: MembersQuery, response: { 200: MemberListResponse } } },
    async (request) => {
      const { q, query, limit } = request.query;
      const search = q ?? query;
      const members = await tenants.listMembers(app.db, request.principal.orgId, { limit, ...(search ? { q: search } : {}) });
      return { members: members.map(toOrgMember) };
    },
  );

  app.post<{ Body: Static<typeof InviteBody> }>(
    '/api/admin/members',
    { ...admin, schema: { body: InviteBody, response: { 201: InviteResponse } } },
    async (request, reply) => {
      const { orgId, role: actorRole } = request.principal;
      const role = request.body.role ?? 'member';
      if (role === 'owner' && actorRole !== 'owner') throw httpError('identity.owner_required', 'Only an owner can invite an owner.');
      const member = await app.db.transaction(async (tx) => {
        const user = await tenants.ensureUser(tx, { email: request.body.email });
        if (await tenants.getMembership(tx, orgId, user.userId)) {
          throw httpError('identity.member_exists', 'This email already belongs to a member of the org.');
        }
        const invited = await tenants.ensureMembership(tx, orgId, user.userId, role, 'invited');
        await audit(tx, request, 'member.invited', 'member', user.userId, { role, email: user.email });
        return invited;
      });
      const user = member.user;
      const invite = createInviteToken(orgId, user.userId, app.config.cookieSecret);
      return reply.status(201).send({ member: toOrgMember(member), ...invite });
    },
  );

  /** Pre-auth: the invite token is the credential. The invited person signs in afterwards. */
  app.post<{ Body: Static<typeof AcceptBody> }>(
    '/api/invites/accept',
    { config: { access: 'public' }, schema: { body: AcceptBody, response: { 200: MemberResponse } } },
    async (request) => {
      const invite = readInviteToken(request.body.token, app.config.cookieSecret);
      if (invite === 'invalid') throw httpError('identity.invite_invalid', 'The invite token is not valid.');
      if (invite === 'expired') throw httpError('identity.invite_expired', 'The invite has expired; ask for a new one.');
      const member = await app.db.transaction(async (tx) => {
        const current = await tenants.getMembership(tx, invite.orgId, invite.accountId);
        if (current?.status !== 'invited') {
          throw httpError('identity.invite_not_pending', 'This invite was already accepted or withdrawn.');
        }
        const accepted = (await tenants.updateMembership(tx, invite.orgId, invite.accountId, { status: 'active' }))!;
        // The invited person is the actor: the token was their credential.
        await app.audit.record(
          tx,
          { orgId: invite.orgId, userId: invite.accountId, tokenId: null },
          { action: 'member.invite_accepted', targetType: 'member', targetId: invite.accountId, metadata: { role: accepted.role } },
        );
        return accepted;
      });
      return { member: toOrgMember(member) };
    },
  );

  app.post<{ Params: Static<typeof MemberParams>; Body: Static<typeof MemberUpdateBody> }>(
    '/api/admin/members/:accountId/update',
    { ...admin, schema: { params: MemberParams, body: MemberUpdateBody, response: { 200: MemberResponse } } },
    async (request) => {
      const { orgId, role: actorRole } = request.principal;
      const { accountId } = request.params;
      const { role, status, confirm } = request.body;
      const current = await tenants.getMembership(app.db, orgId, accountId);
      if (!current) throw httpError('identity.member_not_found', 'Org member was not found.');
      if (status === 'disabled' && confirm !== accountId) {
        throw httpError('identity.confirm_required', 'Disabling a member requires confirm to equal the account id.');
      }
      // Only an owner may make or unmake owners, so admins cannot take over the org.
      if ((role === 'owner' || current.role === 'owner') && actorRole !== 'owner') {
        throw httpError('identity.owner_required', 'Only an owner can change an owner or appoint one.');
      }
      const updated = await app.db.transaction(async (tx) => {
        // The org always keeps an active owner: the last one can be neither demoted nor disabled.
        const losesOwner =
          current.role === 'owner' && current.status === 'active' && ((role && role !== 'owner') || (status && status !== 'active'));
        if (losesOwner) {
          const owners = await members.lockActiveOwners(tx, orgId);
          if (owners.length <= 1) throw httpError('identity.last_owner', 'The last owner of the org cannot be demoted or disabled.');
        }
        const changed = (await tenants.updateMembership(tx, orgId, accountId, {
          ...(role ? { role } : {}),
          ...(status ? { status } : {}),
        }))!;
        // A disabled member is signed out everywhere at once, not at the next request of each session.
        if (status === 'disabled') await authSessions.endAll(tx, orgId, accountId);
        await audit(tx, request, 'member.updated', 'member', accountId, {
          role: role ?? null,
          status: status ?? null,
          previousRole: current.role,
          previousStatus: current.status,
        });
        return changed;
      });
      return { member: toOrgMember(updated) };
    },
  );

  app.get<{ Querystring: Static<typeof AuditQuery> }>(
    '/api/admin/audit',
    { ...admin, schema: { querystring: AuditQuery, response: { 200: AuditPageResponse } } },
    async (request) => {
      const { limit, cursor, ...filters } = request.query;
      return app.audit.list(request.principal.orgId, { limit, ...(cursor ? { cursor } : {}), filters });
    },
  );
}
