import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { canonicalJson } from './canonical-json.js';
import { httpError } from './errors.js';
import type { Db, Queryable } from './store/db.js';
import type { IdempotentRequestScope, StoredIdempotentRequest } from './store/idempotent-requests.js';
import type { Stores } from './store/stores.js';

/**
 * `Idempotency-Key` for every mutating `/api/` route.
 *
 * A POST, PUT, PATCH or DELETE on an `/api/` route that carries the header is keyed by
 * (org, principal, method, route pattern, key), where the principal is the API token when the
 * caller used one and the user otherwise:
 * - the key is reserved with an INSERT on that primary key once the request is authenticated and
 *   validated, before the handler runs; a concurrent duplicate finds it held and gets 409
 *   `idempotency.in_progress` with `Retry-After: 1`;
 * - a 2xx response is stored (status, content type, body) before it is sent, and the same key with
 *   the same request (method, URL with its query, canonical JSON body) gets it back with
 *   `idempotent-replayed: true`, without the handler running again;
 * - the same key with a different request gets 409 `idempotency.key_reused`;
 * - any other status releases the key, so the caller can fix the input and retry with it;
 * - a key is 1 to 255 printable ASCII characters (else 400 `idempotency.key_invalid`) and lives
 *   24 hours; expired keys are pruned lazily.
 *
 * Not covered: GETs (SSE included), `/auth/*` and `/webhooks/*` (not under `/api/`), public routes
 * (no principal to scope the key by), and routes that declare `config: { idempotency: 'handled' }`.
 *
 * The opt-out rule: a route declares `idempotency: 'handled'` when it runs the header itself,
 * inside the transaction of its change, with `app.idempotent` (the channel services, given the key
 * their route computes with `idempotencyKey`; session commands through the command service). This
 * plugin then leaves the header to it entirely. With `app.idempotent` the reservation, the writes
 * and the sealed reply commit together, so no crash can make a retry run the handler twice. Every
 * other route gets the plugin's behaviour above, which is at-most-once only as far as its process
 * lives: the response is stored after the handler's own transaction committed, so a crash between
 * the two leaves a reservation that another request takes over once its lock (10 minutes) ends.
 *
 * The raw key is never stored: the table keeps its SHA-256, and the response is sealed (AES-GCM)
 * with a key derived from the raw key, so a reader of the database cannot replay, say, an API token
 * shown once, unless they can guess the Idempotency-Key.
 */

declare module 'fastify' {
  interface FastifyInstance {
    /** Runs a service's work under an `Idempotency-Key`, in the transaction of its change. */
    idempotent: IdempotentRunner;
  }
  interface FastifyContextConfig {
    /** `'handled'`: the route implements `Idempotency-Key` itself (see src/idempotency.ts). */
    idempotency?: 'handled';
  }
  interface FastifyRequest {
    /** The key this request holds until its response is stored or the key released. */
    idempotencyReservation: Reservation | null;
  }
}

interface Reservation {
  scope: IdempotentRequestScope;
  reservationId: string;
  rawKey: string;
}

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** How long a 'running' reservation is trusted before another request may take it over. */
const IDEMPOTENCY_LOCK_MS = 10 * 60 * 1000;
const PRUNE_EVERY_MS = 10 * 60 * 1000;
const MAX_KEY_LENGTH = 255;
/** Printable ASCII; no leading or trailing space (Node trims header values anyway). */
const KEY = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const REPLAYED_HEADER = 'idempotent-replayed';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The AES-256-GCM key of one stored response, from the raw Idempotency-Key and its scope. */
function sealingKey(rawKey: string, scope: IdempotentRequestScope): Buffer {
  const label = [scope.orgId, scope.principal, scope.method, scope.route].join('\n');
  return Buffer.from(hkdfSync('sha256', rawKey, 'open-cowork idempotent response', label, 32));
}

function seal(rawKey: string, scope: IdempotentRequestScope, body: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(rawKey, scope), iv);
  const sealed = Buffer.concat([cipher.update(body), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64');
}

function unseal(rawKey: string, scope: IdempotentRequestScope, text: string): Buffer {
  const data = Buffer.from(text, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', sealingKey(rawKey, scope), data.subarray(0, 12));
  decipher.setAuthTag(data.subarray(12, 28));
  return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]);
}

/** The validated key, or null when the plugin does not apply to this request. */
function keyOf(request: FastifyRequest): string | null {
  if (!MUTATING.has(request.method) || request.is404) return null;
  const { url, config } = request.routeOptions;
  if (!url?.startsWith('/api/') || config.idempotency === 'handled' || !request.principal) return null;
  return validKey(request.headers['idempotency-key']);
}

/** An `Idempotency-Key` with what it is scoped to and the fingerprint of its request. */
export interface IdempotentKey {
  scope: IdempotentRequestScope;
  requestHash: string;
  rawKey: string;
}

/** What a handler answers; `replayed` when it is the stored reply of an earlier request. */
export interface IdempotentReply<T = unknown> {
  status: number;
  body: T;
  replayed: boolean;
}

/**
 * The key of a request carrying `Idempotency-Key` (400 `idempotency.key_invalid` when malformed),
 * or null without one. The request's fingerprint is `fingerprint` when given (e.g. a session
 * command's session, kind and payload), else its method, URL and body. `bodyKey` is a key the
 * body may carry instead of the header (the channel prompt's `idempotencyKey`); given both, they
 * must be the same (else 400 `idempotency.key_mismatch`).
 */
export function idempotentKeyOf(request: FastifyRequest, fingerprint?: unknown, bodyKey?: string): IdempotentKey | null {
  const headerKey = validKey(request.headers['idempotency-key']);
  const fromBody = validKey(bodyKey);
  if (headerKey !== null && fromBody !== null && headerKey !== fromBody) {
    throw httpError('idempotency.key_mismatch', 'The Idempotency-Key header and the body idempotencyKey differ.');
  }
  const rawKey = headerKey ?? fromBody;
  return rawKey === null
    ? null
    : keyFor(request, rawKey, fingerprint ?? { method: request.method, url: request.url, body: request.body ?? null });
}

/**
 * The key of a route that runs it in its service (`app.idempotent.transaction`): the request is the
 * route's method, pattern, path parameters and body.
 */
export function idempotencyKey(request: FastifyRequest): IdempotentKey | null {
  const { method, params, body } = request;
  return idempotentKeyOf(request, { method, route: request.routeOptions.url, params, body });
}

function validKey(header: string | string[] | undefined): string | null {
  if (header === undefined) return null;
  if (typeof header !== 'string' || header.length > MAX_KEY_LENGTH || !KEY.test(header)) {
    throw httpError('idempotency.key_invalid', `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} printable ASCII characters.`);
  }
  return header;
}

function keyFor(request: FastifyRequest, rawKey: string, fingerprint: unknown): IdempotentKey {
  const { principal } = request;
  return {
    rawKey,
    requestHash: sha256(canonicalJson(fingerprint)),
    scope: {
      orgId: principal.orgId,
      principal: principal.tokenId ? `token:${principal.tokenId}` : `user:${principal.userId}`,
      method: request.method,
      route: request.routeOptions.url!,
      keyHash: sha256(`open-cowork idempotency key\n${rawKey}`),
    },
  };
}

function reservationTimes(now: number) {
  return {
    now: new Date(now).toISOString(),
    lockedUntil: new Date(now + IDEMPOTENCY_LOCK_MS).toISOString(),
    expiresAt: new Date(now + IDEMPOTENCY_TTL_MS).toISOString(),
  };
}

/** 409 unless `held` is the finished reply of the same request. */
function requireReplayable(held: StoredIdempotentRequest, requestHash: string): void {
  if (held.requestHash !== requestHash)
    throw httpError('idempotency.key_reused', 'This Idempotency-Key was already used for a different request.');
  if (held.state === 'running') {
    throw httpError('idempotency.in_progress', 'A request with this Idempotency-Key is still being processed; retry shortly.', {
      retryAfterMs: 1000,
    });
  }
}

/**
 * Runs work under an `Idempotency-Key` in the transaction of its change, for the services that
 * take the header over (`idempotency: 'handled'`). Shared as `app.idempotent`.
 */
function createIdempotentRunner(db: Db, store: Stores['idempotentRequests']) {
  /**
   * Runs `work` under `key` inside the caller's transaction `tx`: the reservation, the work's
   * writes and the sealed reply commit together, or not at all. So a crash after the commit leaves
   * the reply for the retry to replay, and a crash before it leaves nothing: a retry can never run
   * the work a second time. A concurrent duplicate waits on the key's row until this transaction
   * ends, then replays. Without a key, `work` just runs.
   */
  async function run<T>(
    tx: Queryable,
    key: IdempotentKey | null,
    work: (tx: Queryable) => Promise<{ status: number; body: T }>,
  ): Promise<IdempotentReply<T>> {
    if (!key) return { ...(await work(tx)), replayed: false };
    const reservationId = randomUUID();
    if (!(await store.reserve(tx, key.scope, { requestHash: key.requestHash, reservationId, ...reservationTimes(Date.now()) }))) {
      const held = (await store.find(tx, key.scope))!;
      requireReplayable(held, key.requestHash);
      const body = held.sealedBody ? unseal(key.rawKey, key.scope, held.sealedBody).toString('utf8') : 'null';
      return { status: held.statusCode ?? 200, body: JSON.parse(body) as T, replayed: true };
    }
    const answer = await work(tx);
    const sealedBody = seal(key.rawKey, key.scope, Buffer.from(JSON.stringify(answer.body ?? null)));
    await store.complete(tx, key.scope, reservationId, {
      statusCode: answer.status,
      contentType: 'application/json; charset=utf-8',
      sealedBody,
    });
    return { ...answer, replayed: false };
  }

  return {
    run,
    /** Runs `work` under `key` (`run`) in a transaction of its own. */
    transaction: <T>(key: IdempotentKey | null, work: (tx: Queryable) => Promise<{ status: number; body: T }>) =>
      db.transaction((tx) => run(tx, key, work)),
  };
}

export type IdempotentRunner = ReturnType<typeof createIdempotentRunner>;

/** Sends what `app.idempotent` answered, marking a replay with `idempotent-replayed: true`. */
export function sendIdempotent(reply: FastifyReply, result: IdempotentReply): FastifyReply {
  if (result.replayed) reply.header(REPLAYED_HEADER, 'true');
  return reply.status(result.status).send(result.body);
}

async function idempotencyPlugin(app: FastifyInstance) {
  const store = app.stores.idempotentRequests;
  app.decorate('idempotent', createIdempotentRunner(app.db, store));
  let nextPruneAt = 0;

  app.decorateRequest('idempotencyReservation', null);

  const prune = async (now: number) => {
    if (now < nextPruneAt) return;
    nextPruneAt = now + PRUNE_EVERY_MS;
    await store
      .prune(app.db, new Date(now).toISOString())
      .catch((error: unknown) => app.log.warn({ err: error }, 'pruning idempotency keys failed'));
  };

  const replay = (reply: FastifyReply, status: number, contentType: string | null, body: Buffer) => {
    reply.status(status).header(REPLAYED_HEADER, 'true');
    if (contentType) reply.header('content-type', contentType);
    return reply.send(contentType?.includes('json') ? body.toString('utf8') : body);
  };

  // After authentication (onRequest) and validation, so a refused request never holds a key.
  app.addHook('preHandler', async (request, reply) => {
    const rawKey = keyOf(request);
    if (rawKey === null) return;
    const { scope, requestHash } = keyFor(request, rawKey, { method: request.method, url: request.url, body: request.body ?? null });
    // A key released between our INSERT and our SELECT is free again: try once more.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const now = Date.now();
      await prune(now);
      const reservationId = randomUUID();
      const reserved = await store.reserve(app.db, scope, { requestHash, reservationId, ...reservationTimes(now) });
      if (reserved) {
        request.idempotencyReservation = { scope, reservationId, rawKey };
        return;
      }
      const held = await store.find(app.db, scope);
      if (!held) continue;
      requireReplayable(held, requestHash);
      return replay(
        reply,
        held.statusCode ?? 200,
        held.contentType,
        held.sealedBody ? unseal(rawKey, scope, held.sealedBody) : Buffer.alloc(0),
      );
    }
    throw httpError('idempotency.in_progress', 'This Idempotency-Key is contended; retry shortly.', { retryAfterMs: 1000 });
  });

  // Before the response leaves: a caller that has it can count on the key holding it.
  app.addHook('onSend', async (request, reply, payload) => {
    const reservation = request.idempotencyReservation;
    if (!reservation) return payload;
    request.idempotencyReservation = null;
    const { scope, reservationId, rawKey } = reservation;
    const storable = payload === null || payload === undefined || typeof payload === 'string' || Buffer.isBuffer(payload);
    try {
      if (reply.statusCode >= 200 && reply.statusCode < 300 && storable) {
        const body = payload === null || payload === undefined ? Buffer.alloc(0) : Buffer.from(payload as string | Buffer);
        const contentType = reply.getHeader('content-type');
        await store.complete(app.db, scope, reservationId, {
          statusCode: reply.statusCode,
          contentType: typeof contentType === 'string' ? contentType : null,
          sealedBody: seal(rawKey, scope, body),
        });
      } else {
        // An error (the caller may fix the input and retry), or a stream that cannot be replayed.
        await store.release(app.db, scope, reservationId);
      }
    } catch (error) {
      request.log.error({ err: error }, 'storing the Idempotency-Key response failed');
      await store.release(app.db, scope, reservationId).catch(() => undefined);
    }
    return payload;
  });

  // A reply that never went through onSend (hijacked, or the handler's send failed): give the key back.
  app.addHook('onResponse', async (request) => {
    const reservation = request.idempotencyReservation;
    if (!reservation) return;
    request.idempotencyReservation = null;
    await store.release(app.db, reservation.scope, reservation.reservationId).catch(() => undefined);
  });
}

export const idempotency = fp(idempotencyPlugin, { name: 'idempotency', dependencies: ['store', 'auth'] });
