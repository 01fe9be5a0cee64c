import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import { auth } from './auth/plugin.js';
import type { ServerConfig } from './config.js';
import { errorBody, httpError, isHttpError, jsonRefusal, nulError, retryAfterSeconds, type HttpError } from './errors.js';
import { idempotency } from './idempotency.js';
import { metrics } from './metrics.js';
import { authRoutes } from './routes/auth.js';
import { adminRoutes } from './routes/admin.js';
import { billingRoutes } from './routes/billing.js';
import { byokRoutes } from './routes/byok.js';
import { capabilityRoutes } from './routes/capabilities.js';
import { channelRoutes } from './routes/channels.js';
import { configRoutes } from './routes/config.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { identityRoutes } from './routes/identity.js';
import { openapi } from './openapi.js';
import { loggerOptions, requestLog } from './request-log.js';
import { sessionRoutes } from './routes/sessions.js';
import { artifactRoutes } from './routes/artifacts.js';
import { settingsRoutes } from './routes/settings.js';
import { threadRoutes } from './routes/threads.js';
import { webhookRoutes } from './routes/webhooks.js';
import { workflowRoutes } from './routes/workflows.js';
import { webRoutes } from './routes/web.js';
import { accountServices } from './services/account.js';
import { artifactServices } from './services/artifacts.js';
import { channelServices } from './services/channels.js';
import { identityServices } from './services/identity.js';
import { overviewService } from './services/overview.js';
import { sessionServices } from './services/plugin.js';
import { settingsServices } from './services/settings.js';
import { threadServices } from './services/threads.js';
import { runtimeWorkers } from './services/workers.js';
import { workflowServices } from './services/workflows.js';
import type { Db } from './store/db.js';
import { security, securityServerOptions } from './security.js';
import { store } from './store/plugin.js';

export interface BuildAppOptions {
  config: ServerConfig;
  /** Use this open database instead of opening `config.store` (tests); the caller closes it. */
  db?: Db;
}

const REQUEST_ID = /^[\w.:@-]{1,128}$/;
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const hasInfinity = (values: unknown) =>
  typeof values === 'object' && values !== null && Object.values(values).some((value) => value === Infinity || value === -Infinity);

/** Every failure becomes a coded error; 5xx details stay in the log. */
function toHttpError(error: FastifyError): HttpError {
  if (isHttpError(error)) return error;
  if (error.validation) return httpError('request.invalid', error.message);
  if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return httpError('request.invalid_json', 'Request body must be valid JSON.');
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return httpError('request.body_too_large', 'Request body is too large.');
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return httpError('request.unsupported_media_type', 'Request body must be application/json.');
  }
  // @fastify/static refuses a Cloud Web path that leaves its folder with a 403: to the caller that
  // file simply does not exist, and saying so reveals nothing of the folder.
  const status = error.statusCode ?? 500;
  if (status === 403 || status === 404) return httpError('route.not_found', 'Not found.');
  // Any other client error of the framework or a plugin (e.g. a bad Range on a Cloud Web asset)
  // answers the catalog's 400: one code, one status.
  if (status >= 400 && status < 500) return httpError('request.invalid', error.message);
  return httpError('internal', 'Internal server error.');
}

/**
 * The server, in a fixed load order: ecosystem plugins and HTTP conventions, then services shared
 * as decorators, then one plugin per route domain (which never import each other).
 */
export async function buildApp({ config, db }: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // Timeouts, coded answers to malformed requests, logs without credentials.
    ...securityServerOptions(config),
    logger: loggerOptions(config.logLevel),
    // Our own one line per request (request-log.ts) replaces Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: false,
    // Opening PGlite compiles WebAssembly and runs initdb: seconds on a busy machine.
    pluginTimeout: 120_000,
    // Echo a caller's request id so logs on both sides line up; anything odd gets a fresh one.
    genReqId: (request) => {
      const inbound = request.headers['x-request-id'];
      return typeof inbound === 'string' && REQUEST_ID.test(inbound) ? inbound : randomUUID();
    },
    bodyLimit: 1024 * 1024,
    // Settings keys (≤256 characters) travel percent-encoded in one path segment: up to 9 bytes each.
    routerOptions: { maxParamLength: 2400 },
  });

  // 1. Ecosystem plugins and HTTP conventions.
  await app.register(cookie);
  // Rate limits, no-store, CORS: before every route, so that their hooks see them all.
  await app.register(security, { config });
  await app.register(requestLog);
  // The OpenAPI document: its onRoute hook must see every route, so before the route plugins.
  await app.register(openapi);
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  // An empty JSON body means `{}`: clients send body-less POSTs that way.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, {});
    parseJson(request, text, (error: Error | null, value?: unknown) => {
      if (error) return done(error, undefined);
      const refused = jsonRefusal(text, value);
      return refused ? done(refused, undefined) : done(null, value);
    });
  });
  app.addHook('onRequest', async (request, reply) => {
    // Set on the raw response so that hijacked (SSE) replies carry them too.
    reply.raw.setHeader('x-request-id', request.id);
    reply.raw.setHeader('x-content-type-options', 'nosniff');
    reply.raw.setHeader('referrer-policy', 'no-referrer');
    reply.raw.setHeader('x-frame-options', 'DENY');
    // PostgreSQL stores no U+0000: a NUL in a path or query is refused here, not in the store.
    if (/%00/i.test(request.url)) throw nulError();
  });
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && UNSAFE_METHODS.has(request.method)) request.body = {};
  });
  app.addHook('preHandler', async (request) => {
    // Ajv coerces `?limit=1e999` to Infinity and then skips the bounds, which it checks only on
    // finite numbers: such a number would reach the store.
    if (hasInfinity(request.query) || hasInfinity(request.params)) {
      throw httpError('request.invalid', 'A number in the path or query must be finite.');
    }
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const coded = toHttpError(error);
    if (coded.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    if (coded.extra.retryAfterMs !== undefined) reply.header('retry-after', retryAfterSeconds(coded.extra.retryAfterMs));
    return reply.status(coded.statusCode).send(errorBody(coded));
  });
  app.setNotFoundHandler((request, reply) => {
    const coded = httpError('route.not_found', `No route ${request.method} ${request.url.split('?')[0]}.`);
    return reply.status(coded.statusCode).send(errorBody(coded));
  });

  // 2. Services, shared as decorators.
  await app.register(store, { config, ...(db ? { db } : {}) });
  await app.register(auth);
  await app.register(idempotency);
  // SERVICES (event bus, runtime, command service) are registered here, one line each.
  await app.register(accountServices);
  await app.register(identityServices);
  await app.register(sessionServices);
  await app.register(runtimeWorkers);
  await app.register(overviewService);
  await app.register(channelServices);
  await app.register(workflowServices);
  await app.register(threadServices);
  await app.register(artifactServices);
  await app.register(settingsServices);

  // 3. Route plugins, one per domain.
  await app.register(healthRoutes);
  await app.register(metrics);
  await app.register(authRoutes);
  await app.register(identityRoutes);
  await app.register(adminRoutes);
  await app.register(capabilityRoutes);
  await app.register(byokRoutes);
  await app.register(billingRoutes);
  // ROUTES of further domains are registered here, one line each.
  await app.register(sessionRoutes);
  await app.register(channelRoutes);
  await app.register(workflowRoutes);
  await app.register(webhookRoutes);
  await app.register(threadRoutes);
  await app.register(artifactRoutes);
  await app.register(settingsRoutes);
  await app.register(configRoutes);
  await app.register(eventRoutes);
  await app.register(webRoutes);

  return app;
}
