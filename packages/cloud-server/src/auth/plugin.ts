import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { httpError } from '../errors.js';
import type { OrgRecord } from '../store/tenants.js';
import { authorize, createAuthenticator, type Authenticator } from './authenticate.js';
import type { AuthSessionRecord } from '../store/auth-sessions.js';
import { CSRF_COOKIE, safeEqual } from './cookie.js';
import type { Principal, RouteAccess } from './principal.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The authorisation rule of the route; every route must declare one. */
    access?: RouteAccess;
  }
  interface FastifyRequest {
    /** The authenticated caller. Set on every non-public route before its handler runs. */
    principal: Principal;
    /** The server-side session of the cookie, when the request was authenticated by it. */
    authSession: AuthSessionRecord | null;
  }
  interface FastifyInstance {
    auth: Authenticator;
    /** The org every user of this server belongs to. */
    defaultOrg: OrgRecord;
  }
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Cookie auth must prove the request came from our own page: the `X-CSRF-Token` header has to
 * equal the CSRF cookie and the token stored with the session (double submit + server state).
 */
export function checkCsrf(request: FastifyRequest, session: AuthSessionRecord): void {
  if (!UNSAFE_METHODS.has(request.method)) return;
  const header = request.headers['x-csrf-token'];
  const cookie = request.cookies[CSRF_COOKIE];
  if (typeof header !== 'string' || typeof cookie !== 'string' || !safeEqual(header, cookie) || !safeEqual(header, session.csrfToken)) {
    throw httpError('auth.csrf_invalid', 'Cloud CSRF token is missing or invalid.');
  }
}

/**
 * Authentication and authorisation for every route: a route without `config.access` cannot be
 * registered, and `onRequest` (before the body is even read) authenticates the caller, checks
 * CSRF for cookie sessions and applies the route's rule.
 */
async function authPlugin(app: FastifyInstance) {
  const { tenants, tokens, authSessions } = app.stores;
  const defaultOrg = await tenants.ensureOrg(app.db, app.config.defaultOrg);
  const owner = await tenants.ensureUser(app.db, { email: app.config.ownerEmail, displayName: 'Local owner' });
  await tenants.ensureMembership(app.db, defaultOrg.orgId, owner.userId, 'owner');

  app.decorate('defaultOrg', defaultOrg);
  app.decorate('auth', createAuthenticator({ config: app.config, db: app.db, tenants, tokens, authSessions, defaultOrg }));
  app.decorateRequest('principal', null as unknown as Principal);
  app.decorateRequest('authSession', null);

  app.addHook('onRoute', (route) => {
    if (!route.config?.access) {
      throw new Error(`Route ${String(route.method)} ${route.url} declares no config.access: every route needs an authorisation rule.`);
    }
  });

  app.addHook('onRequest', async (request) => {
    // Unknown routes answer 404 whoever asks (the not-found handler has no rule of its own).
    if (request.is404) return;
    const access = request.routeOptions.config.access;
    if (access === 'public') return;
    const authentication = await app.auth.authenticate(request);
    if (!authentication) throw httpError('auth.required', 'Authentication is required.');
    if (authentication.session) checkCsrf(request, authentication.session);
    authorize(access ?? 'operator', authentication.principal, request.routeOptions.url ?? '');
    request.principal = authentication.principal;
    request.authSession = authentication.session;
  });
}

export const auth = fp(authPlugin, { name: 'auth', dependencies: ['store'] });
