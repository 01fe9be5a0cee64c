import { admin as adminSchemas, identity as identitySchemas } from '@open-cowork/shared/schemas';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

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

/** API tokens, org administration and invites; the rules are `app.identity`'s (services/identity.ts). */
export async function identityRoutes(app: FastifyInstance) {
  const admin = { config: { access: 'admin' as const } };

  app.get<{ Querystring: Static<typeof TokenListQuery> }>(
    '/api/api-tokens',
    { ...admin, schema: { querystring: TokenListQuery, response: { 200: TokenListResponse } } },
    async (request) => app.identity.listTokens(request.principal.orgId, request.query.limit),
  );

  app.post<{ Body: Static<typeof IssueBody> }>(
    '/api/api-tokens',
    { ...admin, schema: { body: IssueBody, response: { 201: IssueTokenResponse } } },
    async (request, reply) => reply.status(201).send(await app.identity.issueToken(request.principal, request.body)),
  );

  app.delete<{ Params: Static<typeof TokenParams> }>(
    '/api/api-tokens/:id',
    { ...admin, schema: { params: TokenParams, response: { 200: RevokeTokenResponse } } },
    async (request) => app.identity.revokeToken(request.principal, request.params.id),
  );

  app.post<{ Params: Static<typeof TokenParams>; Body: Static<typeof GrantBody> }>(
    '/api/api-tokens/:id/channel-bindings',
    { ...admin, schema: { params: TokenParams, body: GrantBody, response: { 200: GrantResponse } } },
    async (request) => app.identity.grantChannelBinding(request.principal, request.params.id, request.body.channelBindingId),
  );

  app.get<{ Querystring: Static<typeof MembersQuery> }>(
    '/api/admin/members',
    { ...admin, schema: { querystring: MembersQuery, response: { 200: MemberListResponse } } },
    async (request) => {
      const { q, query, limit } = request.query;
      return app.identity.listMembers(request.principal.orgId, { limit, q: q ?? query });
    },
  );

  app.post<{ Body: Static<typeof InviteBody> }>(
    '/api/admin/members',
    { ...admin, schema: { body: InviteBody, response: { 201: InviteResponse } } },
    async (request, reply) => reply.status(201).send(await app.identity.invite(request.principal, request.body)),
  );

  /** Pre-auth: the invite token is the credential. The invited person signs in afterwards. */
  app.post<{ Body: Static<typeof AcceptBody> }>(
    '/api/invites/accept',
    { config: { access: 'public' }, schema: { body: AcceptBody, response: { 200: MemberResponse } } },
    async (request) => app.identity.acceptInvite(request.body.token),
  );

  app.post<{ Params: Static<typeof MemberParams>; Body: Static<typeof MemberUpdateBody> }>(
    '/api/admin/members/:accountId/update',
    { ...admin, schema: { params: MemberParams, body: MemberUpdateBody, response: { 200: MemberResponse } } },
    async (request) => app.identity.updateMember(request.principal, request.params.accountId, request.body),
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
