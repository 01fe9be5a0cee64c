import type { Authenticator } from '../auth/authenticate.js';
import { createOidcLogin } from '../auth/oidc-login.js';
import type { Principal } from '../auth/principal.js';
import { createSignInBackoff } from '../auth/sign-in-backoff.js';
import type { ServerConfig } from '../config.js';
import { httpError } from '../errors.js';
import type { AuthSessionMethod, AuthSessionRecord } from '../store/auth-sessions.js';
import type { Db } from '../store/db.js';
import type { Stores } from '../store/stores.js';

export interface AuthSessionServiceDeps {
  db: Db;
  authSessions: Stores['authSessions'];
  auth: Pick<Authenticator, 'verifyBearer' | 'oidcPrincipal'>;
  config: Pick<ServerConfig, 'cookieSecret' | 'sessionTtlMs' | 'oidc' | 'security'>;
}

/** Who opens a session, from where: the back-off counts per address, the user agent is shown in the list. */
export interface SignInClient {
  ip: string;
  userAgent: string | null;
}

/** A session just opened: what `/auth/me` answers, and what its cookies carry and for how long. */
export interface OpenedSession {
  me: ReturnType<typeof view>;
  secret: string;
  csrfToken: string;
  maxAgeSeconds: number;
}

/** What a caller sees of their session: the principal, and the CSRF token to send back. */
const view = (principal: Principal, session: AuthSessionRecord | null) => ({
  principal,
  csrfToken: session?.csrfToken ?? null,
  expiresAt: session?.expiresAt ?? null,
});

const oidcMissing = () => httpError('auth.oidc_not_configured', 'This cloud has no OIDC sign-in; use an API token.');

/**
 * Cookie sessions of Cloud Web and Desktop: opened with an API token, an OIDC access token or the
 * OIDC sign-in, listed and ended by their user. Setting and reading the cookies is the route's part.
 */
export function createAuthSessionService({ db, authSessions: sessions, auth, config }: AuthSessionServiceDeps) {
  const { oidc } = config;
  const backoff = createSignInBackoff(config.security.signInBackoff);
  const login = oidc?.clientId
    ? createOidcLogin({ ...oidc, clientId: oidc.clientId }, config.security.oidcClientSecret, config.cookieSecret)
    : null;
  const requireLogin = () => {
    if (!login) throw oidcMissing();
    return login;
  };

  /**
   * Opens a session for `principal`. It ends no later than the credential it came from
   * (`credentialExpiresAtMs`), and a token-born one keeps the token's id.
   */
  async function open(
    principal: Principal,
    method: AuthSessionMethod,
    credentialExpiresAtMs: number | null,
    client: SignInClient,
  ): Promise<OpenedSession> {
    const now = Date.now();
    const lifetimeMs = Math.min(config.sessionTtlMs, (credentialExpiresAtMs ?? Number.POSITIVE_INFINITY) - now);
    const { session, secret } = await sessions.open(db, {
      orgId: principal.orgId,
      userId: principal.userId,
      tokenId: principal.tokenId,
      method,
      userAgent: client.userAgent?.slice(0, 512) ?? null,
      expiresAt: new Date(now + lifetimeMs),
    });
    return {
      me: view({ ...principal, authSource: 'cookie' }, session),
      secret,
      csrfToken: session.csrfToken,
      maxAgeSeconds: Math.max(1, Math.floor(lifetimeMs / 1000)),
    };
  }

  return {
    me: view,

    /**
     * Exchanges an API token or an OIDC access token for a session that has no more rights than it:
     * the token's scopes and channel bindings, and its lifetime at most. Tokens that cannot act as a
     * person in Cloud Web (operator, gateway-only, operator-scoped) are refused.
     */
    async openWithToken(credential: string, client: SignInClient): Promise<OpenedSession> {
      const { principal, expiresAtMs } = await backoff.attempt(client.ip, () => auth.verifyBearer(credential));
      if (principal.authSource === 'operator') {
        throw httpError('auth.operator_cookie_refused', 'The operator token cannot open a cookie session.');
      }
      if (principal.tokenId && !principal.scopes.includes('desktop') && !principal.scopes.includes('admin')) {
        throw httpError('auth.token_scope_refused', 'Only a token with the desktop or admin scope can open a cookie session.');
      }
      return open(principal, principal.tokenId ? 'token' : 'oidc', expiresAtMs, client);
    },

    /** The OIDC sign-in as Desktop and Cloud Web read it; Cloud Web shows its button when `webLoginUrl` is set. */
    oidcConfig() {
      if (!oidc) throw oidcMissing();
      return {
        mode: 'oidc',
        issuerUrl: oidc.issuer,
        clientId: oidc.clientId,
        scope: oidc.scope,
        webLoginUrl: login ? '/auth/login' : null,
      };
    },

    /** Step 1 of the OIDC sign-in: the provider's URL, and the sealed checks the browser carries to the callback. */
    beginOidc: (redirectUri: string, returnTo: string | undefined) => requireLogin().begin(redirectUri, returnTo),

    /** Step 2: checks state, nonce and PKCE of the provider's answer, then opens a session for the member it names. */
    async finishOidc(callbackUrl: URL, loginCookie: string | undefined, client: SignInClient) {
      const flow = requireLogin();
      const { principal, returnTo } = await backoff.attempt(client.ip, async () => {
        const finished = await flow.finish(callbackUrl, loginCookie);
        return { principal: await auth.oidcPrincipal(finished.identity, 'cookie'), returnTo: finished.returnTo };
      });
      return { opened: await open(principal, 'oidc', null, client), returnTo };
    },

    /** The caller's live sessions, newest first, the one they call with marked `current`. */
    async list(caller: Principal, currentSessionId: string | null) {
      const listed = await sessions.list(db, caller.orgId, caller.userId);
      return {
        sessions: listed.map(({ orgId: _org, userId: _user, csrfToken: _csrf, ...session }) => ({
          ...session,
          current: session.sessionId === currentSessionId,
        })),
      };
    },

    /** Ends one of the caller's own sessions; nobody ends another person's. */
    async end(caller: Principal, sessionId: string) {
      if (!(await sessions.end(db, caller.orgId, caller.userId, sessionId))) {
        throw httpError('auth.session_not_found', 'You have no session with this id.');
      }
      return { ended: true as const };
    },

    /** Signs out of `session` (logout with its cookie). */
    async logout(session: AuthSessionRecord) {
      await sessions.end(db, session.orgId, session.userId, session.sessionId);
    },
  };
}

export type AuthSessionService = ReturnType<typeof createAuthSessionService>;
