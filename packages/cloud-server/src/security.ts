import { createHash } from 'node:crypto';
import type { ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import { SESSION_COOKIE } from './auth/cookie.js';
import type { ServerConfig } from './config.js';
import { errorBody, httpError, type HttpError } from './errors.js';

/** Query parameters whose values are credentials or one-time codes: never written to a log. */
const SECRET_QUERY_KEY = /token|secret|key|code|password|signature|state|session|auth/i;

/** `url` with the values of credential-like query parameters replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  const query = url.indexOf('?');
  if (query < 0) return url;
  const redacted = url
    .slice(query + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      return equals >= 0 && SECRET_QUERY_KEY.test(pair.slice(0, equals)) ? `${pair.slice(0, equals)}=[redacted]` : pair;
    });
  return `${url.slice(0, query)}?${redacted.join('&')}`;
}

/**
 * Narrows the `date-time` format to what the store can hold: RFC 3339 as before, with a year from
 * 0001 to 9999 (PostgreSQL has no year 0000, and six-digit years are not RFC 3339).
 */
function storableTimestamps(ajv: Parameters<NonNullable<NonNullable<FastifyServerOptions['ajv']>['onCreate']>>[0]): void {
  const rfc3339 = ajv.formats['date-time'];
  const valid =
    typeof rfc3339 === 'function'
      ? rfc3339
      : rfc3339 instanceof RegExp
        ? (value: string) => rfc3339.test(value)
        : (rfc3339 as { validate: (value: string) => boolean }).validate;
  ajv.addFormat(
    'date-time',
    (value: string) => /^\d{4}-/.test(value) && !value.startsWith('0000') && valid(value) && Number.isFinite(Date.parse(value)),
  );
}

/** A raw answer written on the socket, for errors that happen before Fastify has a request. */
function writeRawError(socket: Socket, error: HttpError): void {
  if (!socket.writable) return;
  const body = JSON.stringify(errorBody(error));
  socket.end(
    `HTTP/1.1 ${error.statusCode} ${error.statusCode === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
      `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/**
 * The options of the Fastify constructor that security needs: socket timeouts (headers, the whole
 * request with its body, idle keep-alive; a response such as an SSE stream is not bounded by them),
 * coded answers to malformed requests, and logs without credentials.
 */
/** Request fields the log may show: the URL without credentials in its query string. */
export const redactingSerializers = {
  req: (request: { method: string; url: string; ip?: string }) => ({
    method: request.method,
    url: redactUrl(request.url),
    remoteAddress: request.ip,
  }),
};

export function securityServerOptions(config: ServerConfig): Partial<FastifyServerOptions> & { http: ServerOptions } {
  const { timeouts } = config.security;
  return {
    requestTimeout: timeouts.requestMs,
    // Node checks the headers and request timeouts on this interval: it bounds how late they strike.
    http: { headersTimeout: timeouts.headersMs, connectionsCheckingInterval: Math.max(100, Math.min(1_000, timeouts.headersMs / 4)) },
    ajv: { onCreate: storableTimestamps },
    keepAliveTimeout: timeouts.keepAliveMs,
    clientErrorHandler: (error: Error & { code?: string }, socket: Socket) => {
      const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
      writeRawError(
        socket,
        tooLarge
          ? httpError('request.headers_too_large', 'The request headers are too large.')
          : httpError('request.malformed', 'The request is not valid HTTP.'),
      );
    },
    frameworkErrors: (error, _request, reply) => {
      const coded =
        error.code === 'FST_ERR_BAD_URL'
          ? httpError('request.bad_url', 'The request URL is not valid.')
          : httpError('request.invalid', error.message);
      void (reply as FastifyReply).status(coded.statusCode).send(errorBody(coded));
    },
  };
}

const isAuthPath = (url: string) => url.startsWith('/auth/');
const isApiPath = (url: string) => url.startsWith('/api/');
/** The endpoints that take a credential or start a sign-in: limited per client address. */
const SIGN_IN_PATHS = new Set(['/auth/session', '/auth/login', '/auth/callback', '/api/invites/accept']);
const isSignInPath = (url: string) => SIGN_IN_PATHS.has(url.split('?')[0]!);

/** Who a request counts against: the credential it carries (never stored, only hashed), else its address. */
function callerKey(request: FastifyRequest): string {
  const credential = request.headers.authorization ?? request.cookies[SESSION_COOKIE];
  if (!credential) return `ip:${request.ip}`;
  return `caller:${createHash('sha256').update(credential).digest('base64url').slice(0, 22)}`;
}

/**
 * Rate limits (per address on the sign-in endpoints, per caller on the rest of `/api` and `/auth`), `Cache-Control: no-store` on
 * `/api` and `/auth` answers, and CORS for the origins the operator lists.
 */
async function securityPlugin(app: FastifyInstance, { config }: { config: ServerConfig }) {
  const { security } = config;

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    // Answers of the API and auth routes carry tokens, secrets and personal data: no cache keeps them.
    if (isApiPath(request.url) || isAuthPath(request.url)) reply.raw.setHeader('cache-control', 'no-store');
  });

  if (security.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: security.corsOrigins,
      credentials: true,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'last-event-id', 'x-csrf-token', 'x-request-id'],
      exposedHeaders: ['retry-after', 'x-request-id', 'idempotent-replayed'],
      maxAge: 600,
    });
  }

  const { authPerMinute, apiPerMinute } = security.rateLimit;
  const limitOf = (url: string) => (isSignInPath(url) ? authPerMinute : isApiPath(url) || isAuthPath(url) ? apiPerMinute : 0);
  await app.register(rateLimit, {
    global: true,
    timeWindow: 60_000,
    allowList: (request) => limitOf(request.url) === 0,
    max: (request) => limitOf(request.url),
    keyGenerator: (request) => (isSignInPath(request.url) ? `sign-in:${request.ip}` : callerKey(request)),
    errorResponseBuilder: (_request, context) =>
      httpError('rate_limit.http_exceeded', `Too many requests; try again in ${Math.ceil(context.ttl / 1000)} s.`, {
        retryAfterMs: context.ttl,
      }),
  });
}

export const security = fp(securityPlugin, { name: 'security' });
