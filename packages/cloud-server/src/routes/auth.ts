import { auth as authSchemas } from '@open-cowork/shared/schemas';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CSRF_COOKIE, SESSION_COOKIE, sessionCookieValue } from '../auth/cookie.js';
import { createOidcLogin, LOGIN_COOKIE, LOGIN_TTL_MS } from '../auth/oidc-login.js';
import { checkCsrf } from '../auth/plugin.js';
import { createSignInBackoff } from '../auth/sign-in-backoff.js';
import type { Principal } from '../auth/principal.js';
import { httpError } from '../errors.js';
import type { AuthSessionMethod, AuthSessionRecord } from '../store/auth-sessions.js';

const {
  AuthMeResponse,
  AuthSessionListResponse,
  AuthSessionParams: SessionParams,
  CallbackQuery,
  DesktopAuthConfigResponse,
  EndSessionResponse,
  LoginQuery,
  LogoutResponse,
  OpenSessionBody: SessionBody,
} = authSchemas;

const sessionView = (session: AuthSessionRecord | null) => ({
  csrfToken: session?.csrfToken ?? null,
  expiresAt: session?.expiresAt ?? null,
});

/** Cookie sessions (opened, listed, ended) and the Desktop sign-in configuration. */
export async function authRoutes(app: FastifyInstance) {
  const { cookieSecret, cookieSecure, sessionTtlMs, oidc } = app.config;
  const cookieOptions = { path: '/', sameSite: 'lax', secure: cookieSecure } as const;
  const { sessions } = app.auth;
  const backoff = createSignInBackoff(app.config.security.signInBackoff);
  const { oidcClientSecret, publicUrl } = app.config.security;
  const login = oidc?.clientId ? createOidcLogin({ ...oidc, clientId: oidc.clientId }, oidcClientSecret, cookieSecret) : null;
  const requireLogin = () => {
    if (!login) throw httpError('auth.oidc_not_configured', 'This cloud has no OIDC sign-in; use an API token.');
    return login;
  };

  const clearCookies = (reply: FastifyReply) =>
    reply.clearCookie(SESSION_COOKIE, { ...cookieOptions, httpOnly: true }).clearCookie(CSRF_COOKIE, cookieOptions);

  /**
   * Opens a server-side session for `principal` and sets its cookies. The session ends no later than
   * the credential it came from (`credentialExpiresAtMs`), and a token-born one keeps the token's id.
   */
  const openSession = async (
    request: FastifyRequest,
    reply: FastifyReply,
    principal: Principal,
    method: AuthSessionMethod,
    credentialExpiresAtMs: number | null,
  ) => {
    const now = Date.now();
    const lifetimeMs = Math.min(sessionTtlMs, (credentialExpiresAtMs ?? Number.POSITIVE_INFINITY) - now);
    const expiresAtMs = now + lifetimeMs;
    const { session, secret } = await sessions.open(app.db, {
      orgId: principal.orgId,
      userId: principal.userId,
      tokenId: principal.tokenId,
      method,
      userAgent: request.headers['user-agent']?.slice(0, 512) ?? null,
      expiresAt: new Date(expiresAtMs),
    });
    const maxAge = Math.max(1, Math.floor(lifetimeMs / 1000));
    reply
      .setCookie(SESSION_COOKIE, sessionCookieValue(secret, cookieSecret), { ...cookieOptions, httpOnly: true, maxAge })
      .setCookie(CSRF_COOKIE, session.csrfToken, { ...cookieOptions, httpOnly: false, maxAge });
    return { principal: { ...principal, authSource: 'cookie' as const }, ...sessionView(session) };
  };

  /**
   * Exchanges an API token or an OIDC access token for a cookie session that has no more rights than
   * it: the token's scopes and channel bindings, and its lifetime at most. Tokens that cannot act as
   * a person in Cloud Web (operator, gateway-only, operator-scoped) are refused.
   */
  app.post<{ Body: Static<typeof SessionBody> }>(
    '/auth/session',
    { config: { access: 'public' }, schema: { body: SessionBody, response: { 200: AuthMeResponse } } },
    async (request, reply) => {
      const { principal, expiresAtMs } = await backoff.attempt(request.ip, () => app.auth.verifyBearer(request.body.token));
      if (principal.authSource === 'operator') {
        throw httpError('auth.operator_cookie_refused', 'The operator token cannot open a cookie session.');
      }
      if (principal.tokenId && !principal.scopes.includes('desktop') && !principal.scopes.includes('admin')) {
        throw httpError('auth.token_scope_refused', 'Only a token with the desktop or admin scope can open a cookie session.');
      }
      return openSession(request, reply, principal, principal.tokenId ? 'token' : 'oidc', expiresAtMs);
    },
  );

  app.get('/auth/me', { config: { access: 'member' }, schema: { response: { 200: AuthMeResponse } } }, async (request) => ({
    principal: request.principal,
    ...sessionView(request.authSession),
  }));

  /** Public so that a stale or broken cookie can always be cleared; a live session must pass CSRF and is deleted. */
  app.post('/auth/logout', { config: { access: 'public' }, schema: { response: { 200: LogoutResponse } } }, async (request, reply) => {
    const authentication = await app.auth.authenticate(request).catch(() => null);
    const session = authentication?.session;
    if (session) {
      checkCsrf(request, session);
      await sessions.end(app.db, session.orgId, session.userId, session.sessionId);
    }
    clearCookies(reply);
    return { loggedOut: true };
  });

  app.get('/auth/sessions', { config: { access: 'member' }, schema: { response: { 200: AuthSessionListResponse } } }, async (request) => {
    const { orgId, userId } = request.principal;
    const current = request.authSession?.sessionId;
    const list = await sessions.list(app.db, orgId, userId);
    return {
      sessions: list.map(({ orgId: _org, userId: _user, csrfToken: _csrf, ...session }) => ({
        ...session,
        current: session.sessionId === current,
      })),
    };
  });

  app.delete<{ Params: Static<typeof SessionParams> }>(
    '/auth/sessions/:id',
    { config: { access: 'member' }, schema: { params: SessionParams, response: { 200: EndSessionResponse } } },
    async (request, reply) => {
      const { orgId, userId } = request.principal;
      if (!(await sessions.end(app.db, orgId, userId, request.params.id))) {
        throw httpError('auth.session_not_found', 'You have no session with this id.');
      }
      if (request.params.id === request.authSession?.sessionId) clearCookies(reply);
      return { ended: true };
    },
  );

  /** The OIDC sign-in: Desktop reads the issuer and client; Cloud Web shows its button when `webLoginUrl` is set. */
  app.get('/auth/desktop/config', { config: { access: 'public' }, schema: { response: { 200: DesktopAuthConfigResponse } } }, async () => {
    if (!oidc) throw httpError('auth.oidc_not_configured', 'This cloud has no OIDC sign-in; use an API token.');
    return { mode: 'oidc', issuerUrl: oidc.issuer, clientId: oidc.clientId, scope: oidc.scope, webLoginUrl: login ? '/auth/login' : null };
  });

  /** Cloud Web sign-in, step 1: off to the provider (authorization code + PKCE), remembering `returnTo`. */
  app.get<{ Querystring: Static<typeof LoginQuery> }>(
    '/auth/login',
    { config: { access: 'public' }, schema: { querystring: LoginQuery } },
    async (request, reply) => {
      const origin = publicUrl ?? `${request.protocol}://${request.host}`;
      const { url, cookie } = await requireLogin().begin(`${origin.replace(/\/$/, '')}/auth/callback`, request.query.returnTo);
      reply.setCookie(LOGIN_COOKIE, cookie, {
        path: '/auth/callback',
        httpOnly: true,
        sameSite: 'lax',
        secure: cookieSecure,
        maxAge: LOGIN_TTL_MS / 1000,
      });
      return reply.redirect(url, 302);
    },
  );

  /** Step 2: the provider sends the browser back; state, nonce and PKCE are checked, then a cookie session opens. */
  app.get<{ Querystring: Static<typeof CallbackQuery> }>(
    '/auth/callback',
    { config: { access: 'public' }, schema: { querystring: CallbackQuery } },
    async (request, reply) => {
      const flow = requireLogin();
      reply.clearCookie(LOGIN_COOKIE, { path: '/auth/callback' });
      const { principal, returnTo } = await backoff.attempt(request.ip, async () => {
        const finished = await flow.finish(new URL(request.url, 'http://callback.invalid'), request.cookies[LOGIN_COOKIE]);
        return { principal: await app.auth.oidcPrincipal(finished.identity, 'cookie'), returnTo: finished.returnTo };
      });
      await openSession(request, reply, principal, 'oidc', null);
      return reply.redirect(returnTo, 302);
    },
  );
}
