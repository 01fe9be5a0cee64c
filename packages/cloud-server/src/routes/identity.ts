import { API_TOKEN_SCOPES, type ApiTokenScope } from '@open-cowork/shared';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createInviteToken, readInviteToken } from '../auth/invites.js';
import { httpError } from '../errors.js';
import { createTenantStore, toOrgMember } from '../store/tenants.js';
import { createTokenStore } from '../store/tokens.js';

const Limit = (max: number, fallback: number) => Type.Integer({ minimum: 1, maximum: max, default: fallback });
const Id = Type.String({ minLength: 1, maxLength: 200 });
const Role = Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member')]);
const Status = Type.Union([Type.Literal('active'), Type.Literal('invited'), Type.Literal('disabled')]);

const TokenParams = Type.Object({ id: Id });
const TokenListQuery = Type.Object({ limit: Limit(500, 100) });
const IssueBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  scopes: Type.Array(Type.Union(API_TOKEN_SCOPES.map((scope) => Type.Literal(scope))), { minItems: 1, uniqueItems: true }),
  expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
  channelBindingIds: Type.Optional(Type.Array(Id, { maxItems: 100 })),
});
const GrantBody = Type.Object({ channelBindingId: Id });
const MembersQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  query: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Limit(500, 100),
});
const InviteBody = Type.Object({ email: Type.String({ format: 'email', maxLength: 320 }), role: Type.Optional(Role) });
const AcceptBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 4096 }) });
const MemberParams = Type.Object({ accountId: Id });
const MemberUpdateBody = Type.Object({ role: Type.Optional(Role), status: Type.Optional(Status), confirm: Type.Optional(Type.String()) });
const AuditQuery = Type.Object({ limit: Limit(500, 100), cursor: Type.Optional(Id) });

/** Scopes that hand out server-wide power: only the operator provisions them, never an org admin. */
const OPERATOR_ISSUED_SCOPES: readonly ApiTokenScope[] = ['operator', 'worker-internal'];

/** API tokens, org administration and invites (wire contract §2.11, §2.16). */
export async function identityRoutes(app: FastifyInstance) {
  const tokens = createTokenStore(app.db);
  const tenants = createTenantStore(app.db);
  const admin = { config: { access: 'admin' as const } };

  const audit = (request: FastifyRequest, action: string, targetType: string, targetId: string, detail?: Record<string, unknown>) =>
    tenants.appendAudit({
      orgId: request.principal.orgId,
      actorUserId: request.principal.userId,
      actorTokenId: request.principal.tokenId,
      action,
      targetType,
      targetId,
      ...(detail ? { detail } : {}),
    });

  const existingToken = async (orgId: string, tokenId: string) => {
    const token = await tokens.get(orgId, tokenId);
    if (!token) throw httpError(404, 'identity.token_not_found', 'API token was not found.');
    return token;
  };

  app.get<{ Querystring: Static<typeof TokenListQuery> }>(
    '/api/api-tokens',
    { ...admin, schema: { querystring: TokenListQuery } },
    async (request) => ({ tokens: await tokens.list(request.principal.orgId, request.query.limit) }),
  );

  app.post<{ Body: Static<typeof IssueBody> }>('/api/api-tokens', { ...admin, schema: { body: IssueBody } }, async (request, reply) => {
    const { name, scopes, expiresAt, channelBindingIds } = request.body;
    if (scopes.some((scope) => OPERATOR_ISSUED_SCOPES.includes(scope))) {
      throw httpError(403, 'identity.scope_not_allowed', 'Operator and worker-internal tokens are provisioned by the operator.');
    }
    if (channelBindingIds?.length && !scopes.includes('gateway')) {
      throw httpError(400, 'identity.channel_bindings_need_gateway', 'Only gateway tokens can be limited to channel bindings.');
    }
    if (expiresAt && Date.parse(expiresAt) <= Date.now()) {
      throw httpError(400, 'identity.expires_at_past', 'expiresAt must be in the future.');
    }
    const issued = await tokens.issue({
      orgId: request.principal.orgId,
      accountId: request.principal.userId,
      name,
      scopes,
      expiresAt: expiresAt ?? null,
      channelBindingIds: channelBindingIds ?? [],
    });
    await audit(request, 'api_token.issued', 'api_token', issued.token.tokenId, { name, scopes });
    return reply.status(201).send(issued);
  });

  app.delete<{ Params: Static<typeof TokenParams> }>(
    '/api/api-tokens/:id',
    { ...admin, schema: { params: TokenParams } },
    async (request) => {
      await existingToken(request.principal.orgId, request.params.id);
      const token = (await tokens.revoke(request.principal.orgId, request.params.id))!;
      await audit(request, 'api_token.revoked', 'api_token', token.tokenId);
      return { token, revoked: true };
    },
  );

  app.post<{ Params: Static<typeof TokenParams>; Body: Static<typeof GrantBody> }>(
    '/api/api-tokens/:id/channel-bindings',
    { ...admin, schema: { params: TokenParams, body: GrantBody } },
    async (request) => {
      const { orgId } = request.principal;
      const token = await existingToken(orgId, request.params.id);
      if (token.revokedAt) throw httpError(409, 'identity.token_revoked', 'This API token has been revoked.');
      if (!token.scopes.includes('gateway')) {
        throw httpError(409, 'identity.token_not_gateway', 'Only gateway tokens can be granted channel bindings.');
      }
      const grant = await tokens.grant(orgId, token.tokenId, request.body.channelBindingId);
      await audit(request, 'api_token.channel_binding_granted', 'api_token', token.tokenId, { channelBindingId: grant.channelBindingId });
      return { grant, token: await existingToken(orgId, token.tokenId) };
    },
  );

  app.get<{ Querystring: Static<typeof MembersQuery> }>(
    '/api/admin/members',
    { ...admin, schema: { querystring: MembersQuery } },
    async (request) => {
      const { q, query, limit } = request.query;
      const search = q ?? query;
      const members = await tenants.listMembers(request.principal.orgId, { limit, ...(search ? { q: search } : {}) });
      return { members: members.map(toOrgMember) };
    },
  );

  app.post<{ Body: Static<typeof InviteBody> }>('/api/admin/members', { ...admin, schema: { body: InviteBody } }, async (request, reply) => {
    const { orgId, role: actorRole } = request.principal;
    const role = request.body.role ?? 'member';
    if (role === 'owner' && actorRole !== 'owner') throw httpError(403, 'identity.owner_required', 'Only an owner can invite an owner.');
    const user = await tenants.ensureUser({ email: request.body.email });
    if (await tenants.getMembership(orgId, user.userId)) {
      throw httpError(409, 'identity.member_exists', 'This email already belongs to a member of the org.');
    }
    const member = await tenants.ensureMembership(orgId, user.userId, role, 'invited');
    await audit(request, 'member.invited', 'member', user.userId, { role });
    const invite = createInviteToken(orgId, user.userId, app.config.cookieSecret);
    return reply.status(201).send({ member: toOrgMember(member), ...invite });
  });

  /** Pre-auth: the invite token is the credential. The invited person signs in afterwards. */
  app.post<{ Body: Static<typeof AcceptBody> }>(
    '/api/invites/accept',
    { config: { access: 'public' }, schema: { body: AcceptBody } },
    async (request) => {
      const invite = readInviteToken(request.body.token, app.config.cookieSecret);
      if (invite === 'invalid') throw httpError(400, 'invite.invalid', 'The invite token is not valid.');
      if (invite === 'expired') throw httpError(400, 'invite.expired', 'The invite has expired; ask for a new one.');
      const current = await tenants.getMembership(invite.orgId, invite.accountId);
      if (current?.status !== 'invited') {
        throw httpError(409, 'invite.not_pending', 'This invite was already accepted or withdrawn.');
      }
      const member = (await tenants.updateMembership(invite.orgId, invite.accountId, { status: 'active' }))!;
      return { member: toOrgMember(member) };
    },
  );

  app.post<{ Params: Static<typeof MemberParams>; Body: Static<typeof MemberUpdateBody> }>(
    '/api/admin/members/:accountId/update',
    { ...admin, schema: { params: MemberParams, body: MemberUpdateBody } },
    async (request) => {
      const { orgId, role: actorRole } = request.principal;
      const { accountId } = request.params;
      const { role, status, confirm } = request.body;
      const current = await tenants.getMembership(orgId, accountId);
      if (!current) throw httpError(404, 'identity.member_not_found', 'Org member was not found.');
      if (status === 'disabled' && confirm !== accountId) {
        throw httpError(400, 'identity.confirm_required', 'Disabling a member requires confirm to equal the account id.');
      }
      // Only an owner may make or unmake owners, so admins cannot take over the org.
      if ((role === 'owner' || current.role === 'owner') && actorRole !== 'owner') {
        throw httpError(403, 'identity.owner_required', 'Only an owner can change an owner or appoint one.');
      }
      const updated = (await tenants.updateMembership(orgId, accountId, { ...(role ? { role } : {}), ...(status ? { status } : {}) }))!;
      await audit(request, 'member.updated', 'member', accountId, { role: role ?? null, status: status ?? null });
      return { member: toOrgMember(updated) };
    },
  );

  app.get<{ Querystring: Static<typeof AuditQuery> }>(
    '/api/admin/audit',
    { ...admin, schema: { querystring: AuditQuery } },
    async (request) => {
      const { limit, cursor } = request.query;
      return tenants.listAudit(request.principal.orgId, { limit, ...(cursor ? { cursor } : {}) });
    },
  );
}
