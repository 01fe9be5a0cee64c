import type { ApiToken } from '@open-cowork/shared';
import type { ServerConfig } from '../config.js';
import { httpError } from '../errors.js';
import type { MembershipRecord, OrgRecord, TenantStore } from '../store/tenants.js';
import { API_TOKEN_PREFIX, type TokenStore } from '../store/tokens.js';
import type { AuthSessionRecord } from '../store/auth-sessions.js';
import type { Stores } from '../store/stores.js';
import type { Db } from '../store/db.js';
import { safeEqual, SESSION_COOKIE, sessionSecretOf } from './cookie.js';
import { createOidcAccounts } from './oidc-accounts.js';
import { createOidcVerifier, looksLikeJwt, type OidcIdentity } from './oidc.js';
import {
  heldByToken,
  isChannelPlane,
  isGatewayOnly,
  type AuthSource,
  type Principal,
  type RouteAccess,
  type TokenScope,
} from './principal.js';

export interface Authentication {
  principal: Principal;
  /** Set when the request was authenticated by the session cookie. */
  session: AuthSessionRecord | null;
}

/** A verified bearer credential: its principal, and what a cookie session opened with it must respect. */
export interface BearerCredential {
  principal: Principal;
  /** The credential's own expiry (an API token's `expiresAt`, an OIDC token's `exp`). */
  expiresAtMs: number | null;
}

export interface AuthenticatorDeps {
  config: ServerConfig;
  db: Db;
  tenants: TenantStore;
  tokens: TokenStore;
  authSessions: Stores['authSessions'];
  defaultOrg: OrgRecord;
}

const MEMBER_SCOPES: readonly TokenScope[] = ['desktop', 'gateway', 'admin'];

function principalOf(membership: MembershipRecord, authSource: AuthSource, token: ApiToken | null): Principal {
  if (membership.status !== 'active' || membership.org.status !== 'active') {
    throw httpError('authorization.membership_inactive', 'The membership of this account is not active.');
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

/**
 * Whether `principal` may call the route `routeUrl` declaring `access`; the 403 to answer when not.
 * A caller holding a token's rights (bearer token, or a cookie session opened with one) is limited by
 * its scopes whatever the member's role; a gateway-only token acts on the channel plane alone.
 */
export function authorize(access: Exclude<RouteAccess, 'public'>, principal: Principal, routeUrl: string): void {
  const limited = heldByToken(principal);
  if (access === 'operator') {
    if (principal.authSource === 'operator' || (principal.authSource === 'token' && principal.scopes.includes('operator'))) return;
    throw httpError('authorization.operator_only', 'This route is for the operator only.');
  }
  if (principal.authSource === 'operator') {
    throw httpError('authorization.operator_not_member', 'The operator token cannot act as an org member.');
  }
  if (limited && !principal.scopes.some((scope) => MEMBER_SCOPES.includes(scope))) {
    throw httpError('authorization.insufficient_scope', 'This token has no scope that allows this route.');
  }
  if (isGatewayOnly(principal) && !isChannelPlane(routeUrl)) {
    throw httpError('authorization.gateway_channel_plane_only', 'A gateway token acts on the channel plane (/api/channels/) only.');
  }
  if (access === 'member') return;
  if (limited && !principal.scopes.includes('admin')) {
    throw httpError('authorization.insufficient_scope', 'This route needs a token with the admin scope.');
  }
  if (principal.role === 'member') throw httpError('authorization.admin_required', 'This route is for org admins.');
}

/** Turns credentials into principals: the session cookie, OIDC access tokens, API tokens, the operator token. */
export function createAuthenticator({ config, db, tenants, tokens, authSessions: sessions, defaultOrg }: AuthenticatorDeps) {
  const verifyOidc = config.oidc ? createOidcVerifier(config.oidc) : null;
  const oidcMember = createOidcAccounts({
    db,
    tenants,
    defaultOrg,
    signup: config.admin,
    linkVerifiedEmail: config.security.linkVerifiedEmail,
  });

  const membershipOf = async (orgId: string, userId: string) => {
    const membership = await tenants.getMembership(db, orgId, userId);
    if (!membership) throw httpError('authorization.membership_inactive', 'This account is not a member of the org.');
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

  /** The live API token of a secret, or the 401 saying why there is none. */
  async function liveToken(credential: string): Promise<ApiToken> {
    const token = await tokens.authenticate(db, credential);
    if (token === 'revoked') throw httpError('auth.token_revoked', 'This API token has been revoked.');
    if (token === 'expired') throw httpError('auth.token_expired', 'This API token has expired.');
    if (token === 'unknown' || !token.accountId) throw httpError('auth.token_invalid', 'This API token is not valid.');
    return token;
  }

  /** A bearer credential (`Authorization: Bearer …` or the body of `POST /auth/session`), verified. */
  async function verifyBearer(credential: string): Promise<BearerCredential> {
    if (config.operatorToken && safeEqual(credential, config.operatorToken)) return { principal: operatorPrincipal(), expiresAtMs: null };
    if (credential.startsWith(API_TOKEN_PREFIX)) {
      const token = await liveToken(credential);
      const principal = principalOf(await membershipOf(token.orgId, token.accountId!), 'token', token);
      return { principal, expiresAtMs: token.expiresAt ? Date.parse(token.expiresAt) : null };
    }
    if (verifyOidc && looksLikeJwt(credential)) {
      const identity = await verifyOidc(credential);
      return { principal: await oidcPrincipal(identity, 'bearer'), expiresAtMs: identity.expiresAtMs };
    }
    throw httpError('auth.credential_invalid', 'The credential is not valid.');
  }

  /** The member an OIDC identity signs in as (see `oidc-accounts.ts`); an OIDC sign-in has the member's role. */
  async function oidcPrincipal(identity: OidcIdentity, authSource: AuthSource): Promise<Principal> {
    return principalOf(await oidcMember(identity), authSource, null);
  }

  /**
   * The principal of a live cookie session. A session opened with an API token has that token's
   * scopes and bindings as they are now, and ends (401) once the token is revoked or expired.
   */
  async function fromSession(session: AuthSessionRecord): Promise<Principal> {
    const membership = await membershipOf(session.orgId, session.userId);
    if (!session.tokenId) return principalOf(membership, 'cookie', null);
    const token = await tokens.get(db, session.orgId, session.tokenId);
    if (!token || token.revokedAt || (token.expiresAt && Date.parse(token.expiresAt) <= Date.now())) {
      await sessions.end(db, session.orgId, session.userId, session.sessionId);
      throw httpError('auth.session_ended', 'This session ended with the token it was opened with; sign in again.');
    }
    return principalOf(membership, 'cookie', token);
  }

  /**
   * Who sent the request, or null when it carries no credential. A valid session cookie wins and
   * any bearer token is then ignored; the session row and the membership are read on every request,
   * so that logout, revocation and a disabled member take effect at once.
   */
  async function authenticate(request: {
    cookies: Record<string, string | undefined>;
    headers: { authorization?: string | undefined };
  }): Promise<Authentication | null> {
    const cookie = request.cookies[SESSION_COOKIE];
    const secret = cookie ? sessionSecretOf(cookie, config.cookieSecret) : null;
    const session = secret ? await sessions.find(db, secret) : null;
    if (session) return { principal: await fromSession(session), session };
    const header = request.headers.authorization;
    if (!header) return null;
    const match = /^Bearer +(\S+) *$/i.exec(header);
    if (!match) throw httpError('auth.credential_invalid', 'The Authorization header must be "Bearer <token>".');
    return { principal: (await verifyBearer(match[1]!)).principal, session: null };
  }

  return { authenticate, verifyBearer, oidcPrincipal };
}

export type Authenticator = ReturnType<typeof createAuthenticator>;
