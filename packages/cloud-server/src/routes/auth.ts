import { auth as authSchemas } from '@open-cowork/shared/schemas';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CSRF_COOKIE, SESSION_COOKIE, sessionCookieValue } from '../auth/cookie.js';
import { LOGIN_COOKIE, LOGIN_TTL_MS } from '../auth/oidc-login.js';
import { checkCsrf } from '../auth/plugin.js';
import type { OpenedSession, SignInClient } from '../services/auth-sessions.js';

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

const clientOf = (request: FastifyRequest): SignInClient => ({ ip: request.ip, userAgent: request.headers['user-agent'] ?? null });

/**
 * Cookie sessions (opened, listed, ended) and the Desktop sign-in configuration. What a session is
 * and who may open or end one is `app.authSessions`'s (services/auth-sessions.ts); the cookies are set here.
 */
export async function authRoutes(app: FastifyInstance) {
  const { cookieSecret, cookieSecure } = app.config;
  const { publicUrl } = app.config.security;
  const cookieOptions = { path: '/', sameSite: 'lax', secure: cookieSecure } as const;

  /** The cookies of a session just opened: the HttpOnly session secret and the CSRF token the page reads. */
  const setCookies = (reply: FastifyReply, { secret, csrfToken, maxAgeSeconds: maxAge }: OpenedSession) =>
    reply
      .setCookie(SESSION_COOKIE, sessionCookieValue(secret, cookieSecret), { ...cookieOptions, httpOnly: true, maxAge })
      .setCookie(CSRF_COOKIE, csrfToken, { ...cookieOptions, httpOnly: false, maxAge });

  const clearCookies = (reply: FastifyReply) =>
    reply.clearCookie(SESSION_COOKIE, { ...cookieOptions, httpOnly: true }).clearCookie(CSRF_COOKIE, cookieOptions);

  /** Exchanges an API token or an OIDC access token for a cookie session that has no more rights than it. */
  app.post<{ Body: Static<typeof SessionBody> }>(
    '/auth/session',
    { config: { access: 'public' }, schema: { body: SessionBody, response: { 200: AuthMeResponse } } },
    async (request, reply) => {
      const opened = await app.authSessions.openWithToken(request.body.token, clientOf(request));
      setCookies(reply, opened);
      return opened.me;
    },
  );

  app.get('/auth/me', { config: { access: 'member' }, schema: { response: { 200: AuthMeResponse } } }, async (request) =>
    app.authSessions.me(request.principal, request.authSession),
  );

  /** Public so that a stale or broken cookie can always be cleared; a live session must pass CSRF and is deleted. */
  app.post('/auth/logout', { config: { access: 'public' }, schema: { response: { 200: LogoutResponse } } }, async (request, reply) => {
    const authentication = await app.auth.authenticate(request).catch(() => null);
    const session = authentication?.session;
    if (session) {
      checkCsrf(request, session);
      await app.authSessions.logout(session);
    }
    clearCookies(reply);
    return { loggedOut: true };
  });

  app.get('/auth/sessions', { config: { access: 'member' }, schema: { response: { 200: AuthSessionListResponse } } }, async (request) =>
    app.authSessions.list(request.principal, request.authSession?.sessionId ?? null),
  );

  app.delete<{ Params: Static<typeof SessionParams> }>(
    '/auth/sessions/:id',
    { config: { access: 'member' }, schema: { params: SessionParams, response: { 200: EndSessionResponse } } },
    async (request, reply) => {
      const ended = await app.authSessions.end(request.principal, request.params.id);
      if (request.params.id === request.authSession?.sessionId) clearCookies(reply);
      return ended;
    },
  );

  /** The OIDC sign-in: Desktop reads the issuer and client; Cloud Web shows its button when `webLoginUrl` is set. */
  app.get('/auth/desktop/config', { config: { access: 'public' }, schema: { response: { 200: DesktopAuthConfigResponse } } }, async () =>
    app.authSessions.oidcConfig(),
  );

  /** Cloud Web sign-in, step 1: off to the provider (authorization code + PKCE), remembering `returnTo`. */
  app.get<{ Querystring: Static<typeof LoginQuery> }>(
    '/auth/login',
    { config: { access: 'public' }, schema: { querystring: LoginQuery } },
    async (request, reply) => {
      const origin = publicUrl ?? `${request.protocol}://${request.host}`;
      const { url, cookie } = await app.authSessions.beginOidc(`${origin.replace(/\/$/, '')}/auth/callback`, request.query.returnTo);
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
      // The login cookie serves one attempt, whatever its outcome.
      const loginCookie = request.cookies[LOGIN_COOKIE];
      reply.clearCookie(LOGIN_COOKIE, { path: '/auth/callback' });
      const { opened, returnTo } = await app.authSessions.finishOidc(
        new URL(request.url, 'http://callback.invalid'),
        loginCookie,
        clientOf(request),
      );
      setCookies(reply, opened);
      return reply.redirect(returnTo, 302);
    },
  );
}
