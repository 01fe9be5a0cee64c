import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { CSRF_COOKIE, SESSION_COOKIE, signSession, type CookieSession } from '../auth/cookie.js';
import { checkCsrf } from '../auth/plugin.js';
import { httpError } from '../errors.js';
import { newSecret } from '../ids.js';

const SessionBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 8192 }) });

const sessionView = (session: CookieSession | null) => ({
  csrfToken: session?.csrfToken ?? null,
  expiresAt: session ? new Date(session.expiresAtMs).toISOString() : null,
});

/** Cookie sessions and the Desktop sign-in configuration. */
export async function authRoutes(app: FastifyInstance) {
  const { cookieSecret, cookieSecure, sessionTtlMs, oidc } = app.config;
  const cookieOptions = { path: '/', sameSite: 'lax', secure: cookieSecure } as const;

  const clearCookies = (reply: FastifyReply) =>
    reply.clearCookie(SESSION_COOKIE, { ...cookieOptions, httpOnly: true }).clearCookie(CSRF_COOKIE, cookieOptions);

  /** Exchanges any valid bearer credential (API token or OIDC access token) for a cookie session. */
  app.post<{ Body: Static<typeof SessionBody> }>(
    '/auth/session',
    { config: { access: 'public' }, schema: { body: SessionBody } },
    async (request, reply) => {
      const principal = await app.auth.fromBearer(request.body.token);
      if (principal.authSource === 'operator') {
        throw httpError(403, 'auth.operator_cookie_refused', 'The operator token cannot open a cookie session.');
      }
      const session: CookieSession = {
        version: 1,
        principal: { ...principal, authSource: 'cookie', tokenId: null, scopes: [], channelBindingIds: null },
        csrfToken: newSecret(),
        expiresAtMs: Date.now() + sessionTtlMs,
      };
      const maxAge = Math.floor(sessionTtlMs / 1000);
      reply
        .setCookie(SESSION_COOKIE, signSession(session, cookieSecret), { ...cookieOptions, httpOnly: true, maxAge })
        .setCookie(CSRF_COOKIE, session.csrfToken, { ...cookieOptions, httpOnly: false, maxAge });
      return { principal: session.principal, ...sessionView(session) };
    },
  );

  app.get('/auth/me', { config: { access: 'member' } }, async (request) => ({
    principal: request.principal,
    ...sessionView(request.authSession),
  }));

  /** Public so that a stale or broken cookie can always be cleared; a live session must pass CSRF. */
  app.post('/auth/logout', { config: { access: 'public' } }, async (request, reply) => {
    const authentication = await app.auth.authenticate(request).catch(() => null);
    if (authentication?.session) checkCsrf(request, authentication.session);
    clearCookies(reply);
    return { loggedOut: true };
  });

  app.get('/auth/desktop/config', { config: { access: 'public' } }, async () => {
    if (!oidc) throw httpError(404, 'auth.oidc_not_configured', 'This cloud has no OIDC sign-in; use an API token.');
    return { mode: 'oidc', issuerUrl: oidc.issuer, clientId: oidc.clientId, scope: oidc.scope };
  });
}
