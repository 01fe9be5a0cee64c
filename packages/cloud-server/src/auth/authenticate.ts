import type { ApiToken } from '@open-cowork/shared';
import type { ServerConfig } from '../config.js';
import { httpError } from '../errors.js';
import type { MembershipRecord, OrgRecord, TenantStore } from '../store/tenants.js';
import { API_TOKEN_PREFIX, type TokenStore } from '../store/tokens.js';
import { safeEqual, SESSION_COOKIE, verifySession, type CookieSession } from './cookie.js';
import { createOidcVerifier, looksLikeJwt } from './oidc.js';
import type { AuthSource, Principal, RouteAccess, TokenScope } from './principal.js';

export interface Authentication {
  principal: Principal;
  /** Set when the request was authenticated by the session cookie. */
  session: CookieSession | null;
}

export interface AuthenticatorDeps {
  config: ServerConfig;
  tenants: TenantStore;
  tokens: TokenStore;
  defaultOrg: OrgRecord;
}

const MEMBER_SCOPES: readonly TokenScope[] = ['desktop', 'gateway', 'admin'];

function principalOf(membership: MembershipRecord, authSource: AuthSource, token: ApiToken | null): Principal {
  if (membership.status !== 'active' || membership.org.status !== 'active') {
    throw httpError(403, 'membership.inactive', 'The membership of this account is not active.');
  }
  return {
    authSource,
    tenantId: membership.org.orgId,
    orgId: membership.org.orgId,
    userId: membership.user.userId,
    accountId: membership.user.userId,
    email: membership.user.email,
    role: membership.role,
    tokenId: token?.tokenId ?? null,
    scopes: token?.scopes ?? [],
    // A gateway token serves only its granted bindings; an admin-scoped token manages them all anyway.
    channelBindingIds: token?.scopes.includes('gateway') && !token.scopes.includes('admin') ? token.channelBindingIds : null,
  };
}

/** Whether `principal` may call a route declaring `access`; the 403 to answer when not. */
export function authorize(access: Exclude<RouteAccess, 'public'>, principal: Principal): void {
  const isToken = principal.authSource === 'token';
  if (access === 'operator') {
    if (principal.authSource === 'operator' || (isToken && principal.scopes.includes('operator'))) return;
    throw httpError(403, 'authorization.operator_only', 'This route is for the operator only.');
  }
  if (principal.authSource === 'operator') {
    throw httpError(403, 'authorization.operator_not_member', 'The operator token cannot act as an org member.');
  }
  if (isToken && !principal.scopes.some((scope) => MEMBER_SCOPES.includes(scope))) {
    throw httpError(403, 'authorization.insufficient_scope', 'This token has no scope that allows this route.');
  }
  if (access === 'member') return;
  if (isToken && !principal.scopes.includes('admin')) {
    throw httpError(403, 'authorization.insufficient_scope', 'This route needs a token with the admin scope.');
  }
  if (principal.role === 'member') throw httpError(403, 'authorization.admin_required', 'This route is for org admins.');
}

/** Turns credentials into principals: the session cookie, OIDC access tokens, API tokens, the operator token. */
export function createAuthenticator({ config, tenants, tokens, defaultOrg }: AuthenticatorDeps) {
  const verifyOidc = config.oidc ? createOidcVerifier(config.oidc) : null;

  const membershipOf = async (orgId: string, userId: string) => {
    const membership = await tenants.getMembership(orgId, userId);
    if (!membership) throw httpError(403, 'membership.inactive', 'This account is not a member of the org.');
    return membership;
  };

  const operatorPrincipal = (): Principal => ({
    authSource: 'operator',
    tenantId: defaultOrg.orgId,
    orgId: defaultOrg.orgId,
    userId: 'operator',
    accountId: 'operator',
    email: 'operator@localhost',
    role: 'member',
    tokenId: null,
    scopes: ['operator'],
    channelBindingIds: null,
  });

  /** The principal of a bearer credential (`Authorization: Bearer …` or the body of `POST /auth/session`). */
  async function fromBearer(credential: string): Promise<Principal> {
    if (config.operatorToken && safeEqual(credential, config.operatorToken)) return operatorPrincipal();
    if (credential.startsWith(API_TOKEN_PREFIX)) {
      const token = await tokens.authenticate(credential);
      if (token === 'revoked') throw httpError(401, 'auth.token_revoked', 'This API token has been revoked.');
      if (token === 'expired') throw httpError(401, 'auth.token_expired', 'This API token has expired.');
      if (token === 'unknown' || !token.accountId) throw httpError(401, 'auth.token_invalid', 'This API token is not valid.');
      return principalOf(await membershipOf(token.orgId, token.accountId), 'token', token);
    }
    if (verifyOidc && looksLikeJwt(credential)) {
      const identity = await verifyOidc(credential);
      const user = await tenants.ensureOidcUser(identity);
      // First sign-in joins the default org as a plain member; admins promote people from there.
      const membership = await tenants.ensureMembership(defaultOrg.orgId, user.userId, 'member');
      return principalOf(membership, 'bearer', null);
    }
    throw httpError(401, 'auth.credential_invalid', 'The credential is not valid.');
  }

  /**
   * Who sent the request, or null when it carries no credential. A valid session cookie wins and
   * any bearer token is then ignored; the membership is re-read on every request, so that a
   * disabled member loses access before the cookie expires.
   */
  async function authenticate(request: {
    cookies: Record<string, string | undefined>;
    headers: { authorization?: string | undefined };
  }): Promise<Authentication | null> {
    const cookie = request.cookies[SESSION_COOKIE];
    const session = cookie ? verifySession(cookie, config.cookieSecret) : null;
    if (session) {
      const membership = await membershipOf(session.principal.orgId, session.principal.userId);
      return { principal: principalOf(membership, 'cookie', null), session };
    }
    const header = request.headers.authorization;
    if (!header) return null;
    const match = /^Bearer +(\S+) *$/i.exec(header);
    if (!match) throw httpError(401, 'auth.credential_invalid', 'The Authorization header must be "Bearer <token>".');
    return { principal: await fromBearer(match[1]!), session: null };
  }

  return { authenticate, fromBearer };
}

export type Authenticator = ReturnType<typeof createAuthenticator>;
