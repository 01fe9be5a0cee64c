import type { ApiTokenScope } from '@open-cowork/shared';
import type { identity as identitySchemas } from '@open-cowork/shared/schemas';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createInviteToken, readInviteToken } from '../auth/invites.js';
import type { Principal } from '../auth/principal.js';
import { LOCAL_TOKEN_SCOPES } from '../local-token.js';
import { httpError } from '../errors.js';
import type { Db, Queryable } from '../store/db.js';
import type { Stores } from '../store/stores.js';
import { type OrgRecord, toOrgMember } from '../store/tenants.js';
import type { AuditEntry, AuditService } from './audit.js';
import { type AuthSessionService, createAuthSessionService } from './auth-sessions.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** API tokens, org members and invites: `app.identity.issueToken(principal, body)`, … */
    identity: IdentityService;
    /** Cookie sessions: who may open one with what, and who may end it. */
    authSessions: AuthSessionService;
  }
}

type IssueTokenBody = Static<typeof identitySchemas.IssueTokenBody>;
type InviteBody = Static<typeof identitySchemas.InviteBody>;
type MemberUpdateBody = Static<typeof identitySchemas.MemberUpdateBody>;

/** Scopes that hand out server-wide power: only the operator provisions them, never an org admin. */
const OPERATOR_ISSUED_SCOPES: readonly ApiTokenScope[] = ['operator', 'worker-internal'];

interface IdentityServiceDeps {
  db: Db;
  tokens: Stores['tokens'];
  tenants: Stores['tenants'];
  members: Stores['members'];
  authSessions: Stores['authSessions'];
  audit: AuditService;
  /** Signs invite tokens (the server's cookie secret). */
  inviteSecret: string;
  defaultOrg: OrgRecord;
  ownerEmail: string;
}

/** API tokens (issue, revoke, grant channel bindings), org members (list, invite, update), invites and the local owner's token. */
function createIdentityService(deps: IdentityServiceDeps) {
  const { db, tokens, tenants, members, authSessions, audit, inviteSecret } = deps;

  /** 404 unless every id names a channel binding of the org (once the channel tables exist). */
  const requireBindings = async (q: Queryable, orgId: string, bindingIds: readonly string[]) => {
    const missing = await members.missingChannelBindings(q, orgId, bindingIds);
    if (missing.length > 0) {
      throw httpError('identity.channel_binding_not_found', `No channel binding has the id "${missing[0]}".`, {
        body: { channelBindingIds: missing },
      });
    }
  };

  const existingToken = async (q: Queryable, orgId: string, tokenId: string) => {
    const token = await tokens.get(q, orgId, tokenId);
    if (!token) throw httpError('identity.token_not_found', 'API token was not found.');
    return token;
  };

  const audited = (
    q: Queryable,
    actor: Principal,
    action: string,
    targetType: string,
    targetId: string,
    metadata?: AuditEntry['metadata'],
  ) => audit.record(q, actor, { action, targetType, targetId, ...(metadata ? { metadata } : {}) });

  return {
    listTokens: async (orgId: string, limit: number) => ({ tokens: await tokens.list(db, orgId, limit) }),

    async issueToken(actor: Principal, { name, scopes, expiresAt, channelBindingIds }: IssueTokenBody) {
      if (scopes.some((scope) => OPERATOR_ISSUED_SCOPES.includes(scope))) {
        throw httpError('identity.scope_not_allowed', 'Operator and worker-internal tokens are provisioned by the operator.');
      }
      if (channelBindingIds?.length && !scopes.includes('gateway')) {
        throw httpError('identity.channel_bindings_need_gateway', 'Only gateway tokens can be limited to channel bindings.');
      }
      if (expiresAt && Date.parse(expiresAt) <= Date.now()) {
        throw httpError('identity.expires_at_past', 'expiresAt must be in the future.');
      }
      return db.transaction(async (tx) => {
        await requireBindings(tx, actor.orgId, channelBindingIds ?? []);
        const issued = await tokens.issue(tx, {
          orgId: actor.orgId,
          accountId: actor.userId,
          name,
          scopes,
          expiresAt: expiresAt ?? null,
          channelBindingIds: channelBindingIds ?? [],
        });
        await audited(tx, actor, 'api_token.issued', 'api_token', issued.token.tokenId, {
          name,
          scopes,
          channelBindingIds: issued.token.channelBindingIds,
        });
        return issued;
      });
    },

    async revokeToken(actor: Principal, tokenId: string) {
      const token = await db.transaction(async (tx) => {
        await existingToken(tx, actor.orgId, tokenId);
        const revoked = (await tokens.revoke(tx, actor.orgId, tokenId))!;
        await audited(tx, actor, 'api_token.revoked', 'api_token', revoked.tokenId);
        return revoked;
      });
      return { token, revoked: true };
    },

    /** Only a live gateway token can be granted a binding, and only one of its own org. */
    grantChannelBinding(actor: Principal, tokenId: string, channelBindingId: string) {
      const { orgId } = actor;
      return db.transaction(async (tx) => {
        const token = await existingToken(tx, orgId, tokenId);
        if (token.revokedAt) throw httpError('identity.token_revoked', 'This API token has been revoked.');
        if (!token.scopes.includes('gateway')) {
          throw httpError('identity.token_not_gateway', 'Only gateway tokens can be granted channel bindings.');
        }
        await requireBindings(tx, orgId, [channelBindingId]);
        const grant = await tokens.grant(tx, orgId, tokenId, channelBindingId);
        await audited(tx, actor, 'api_token.channel_binding_granted', 'api_token', tokenId, { channelBindingId: grant.channelBindingId });
        return { grant, token: await existingToken(tx, orgId, tokenId) };
      });
    },

    async listMembers(orgId: string, { limit, q }: { limit: number; q?: string | undefined }) {
      const listed = await tenants.listMembers(db, orgId, { limit, ...(q ? { q } : {}) });
      return { members: listed.map(toOrgMember) };
    },

    /** Invites an email as a new member; the answer carries the invite token to hand over. */
    async invite(actor: Principal, body: InviteBody) {
      const { orgId } = actor;
      const role = body.role ?? 'member';
      if (role === 'owner' && actor.role !== 'owner') throw httpError('identity.owner_required', 'Only an owner can invite an owner.');
      const member = await db.transaction(async (tx) => {
        const user = await tenants.ensureUser(tx, { email: body.email });
        if (await tenants.getMembership(tx, orgId, user.userId)) {
          throw httpError('identity.member_exists', 'This email already belongs to a member of the org.');
        }
        const invited = await tenants.ensureMembership(tx, orgId, user.userId, role, 'invited');
        await audited(tx, actor, 'member.invited', 'member', user.userId, { role, email: user.email });
        return invited;
      });
      return { member: toOrgMember(member), ...createInviteToken(orgId, member.user.userId, inviteSecret) };
    },

    /** Pre-auth: the invite token is the credential, so the invited person is the actor. */
    async acceptInvite(inviteToken: string) {
      const invite = readInviteToken(inviteToken, inviteSecret);
      if (invite === 'invalid') throw httpError('identity.invite_invalid', 'The invite token is not valid.');
      if (invite === 'expired') throw httpError('identity.invite_expired', 'The invite has expired; ask for a new one.');
      const member = await db.transaction(async (tx) => {
        const current = await tenants.getMembership(tx, invite.orgId, invite.accountId);
        if (current?.status !== 'invited') {
          throw httpError('identity.invite_not_pending', 'This invite was already accepted or withdrawn.');
        }
        const accepted = (await tenants.updateMembership(tx, invite.orgId, invite.accountId, { status: 'active' }))!;
        await audit.record(
          tx,
          { orgId: invite.orgId, userId: invite.accountId, tokenId: null },
          { action: 'member.invite_accepted', targetType: 'member', targetId: invite.accountId, metadata: { role: accepted.role } },
        );
        return accepted;
      });
      return { member: toOrgMember(member) };
    },

    /** Changes a member's role or status; disabling one needs `confirm` and signs them out everywhere. */
    async updateMember(actor: Principal, accountId: string, { role, status, confirm }: MemberUpdateBody) {
      const { orgId } = actor;
      const current = await tenants.getMembership(db, orgId, accountId);
      if (!current) throw httpError('identity.member_not_found', 'Org member was not found.');
      if (status === 'disabled' && confirm !== accountId) {
        throw httpError('identity.confirm_required', 'Disabling a member requires confirm to equal the account id.');
      }
      // Only an owner may make or unmake owners, so admins cannot take over the org.
      if ((role === 'owner' || current.role === 'owner') && actor.role !== 'owner') {
        throw httpError('identity.owner_required', 'Only an owner can change an owner or appoint one.');
      }
      const updated = await db.transaction(async (tx) => {
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
        await audited(tx, actor, 'member.updated', 'member', accountId, {
          role: role ?? null,
          status: status ?? null,
          previousRole: current.role,
          previousStatus: current.status,
        });
        return changed;
      });
      return { member: toOrgMember(updated) };
    },

    /**
     * The local owner's token of `npm start`: `kept` while the store still accepts it (unless
     * `rotate`, which revokes it), else a new never-expiring one when `issue`; null otherwise.
     */
    localOwnerToken({ kept, rotate, issue }: { kept: string | null; rotate: boolean; issue: boolean }): Promise<string | null> {
      return db.transaction(async (tx) => {
        const token = kept ? await tokens.authenticate(tx, kept) : 'unknown';
        if (typeof token !== 'string') {
          if (!rotate) return kept;
          await tokens.revoke(tx, token.orgId, token.tokenId);
        }
        if (!issue) return null;
        const owner = await tenants.ensureUser(tx, { email: deps.ownerEmail });
        const { plaintext } = await tokens.issue(tx, {
          orgId: deps.defaultOrg.orgId,
          accountId: owner.userId,
          name: `local token ${new Date().toISOString()}`,
          scopes: [...LOCAL_TOKEN_SCOPES],
        });
        return plaintext;
      });
    },
  };
}

type IdentityService = ReturnType<typeof createIdentityService>;

/** The identity services: `app.identity` (tokens, members, invites) and `app.authSessions` (cookie sessions). */
async function identityServicesPlugin(app: FastifyInstance) {
  const { db, stores, config } = app;
  app.decorate(
    'identity',
    createIdentityService({
      db,
      tokens: stores.tokens,
      tenants: stores.tenants,
      members: stores.members,
      authSessions: stores.authSessions,
      audit: app.audit,
      inviteSecret: config.cookieSecret,
      defaultOrg: app.defaultOrg,
      ownerEmail: config.ownerEmail,
    }),
  );
  app.decorate('authSessions', createAuthSessionService({ db, authSessions: stores.authSessions, auth: app.auth, config }));
}

export const identityServices = fp(identityServicesPlugin, {
  name: 'identity-services',
  dependencies: ['store', 'auth', 'account-services'],
});
