import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Principal } from '../src/auth/principal.js';
import { createConfig } from '../src/config.js';
import { errorBody, httpError, isHttpError, retryAfterSeconds } from '../src/errors.js';
import { IDEMPOTENCY_TTL_MS, idempotency } from '../src/idempotency.js';
import type { Db } from '../src/store/db.js';
import { openDb } from '../src/store/open.js';
import { store } from '../src/store/plugin.js';
import { createTestTarget, engines } from '@open-cowork/test-support/db';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';

/** A caller of the probe app: `x-test-user` picks the user, `x-test-token` the API token. */
const principalOf = (user: string, token: string | undefined): Principal => ({
  authSource: token ? 'token' : 'bearer',
  tenantId: 'org_1',
  orgId: 'org_1',
  userId: user,
  accountId: user,
  email: `${user}@example.test`,
  role: 'owner',
  tokenId: token ?? null,
  scopes: ['desktop'],
  channelBindingIds: null,
});

/** Stands in for the auth plugin: every non-public route gets the principal the headers name. */
const fakeAuth = fp(
  async (app: FastifyInstance) => {
    app.decorateRequest('principal', null as unknown as Principal);
    app.addHook('onRequest', async (request) => {
      if (request.is404 || request.routeOptions.config.access === 'public') return;
      const user = request.headers['x-test-user'];
      const token = request.headers['x-test-token'];
      request.principal = principalOf(typeof user === 'string' ? user : 'usr_a', typeof token === 'string' ? token : undefined);
    });
  },
  { name: 'auth', dependencies: ['store'] },
);

interface Gate {
  entered: Promise<void>;
  open(): void;
}

function gate(): Gate & { enter(): Promise<void> } {
  let markEntered!: () => void;
  let release!: () => void;
  const entered = new Promise<void>((resolve) => (markEntered = resolve));
  const opened = new Promise<void>((resolve) => (release = resolve));
  return {
    entered,
    open: () => release(),
    enter: async () => {
      markEntered();
      await opened;
    },
  };
}

describe.each(engines)('Idempotency-Key on mutating /api/ routes (probe routes, %s)', (engine) => {
  let target: Awaited<ReturnType<typeof createTestTarget>>;
  let db: Db;
  let app: FastifyInstance;
  const calls: Record<string, number> = {};
  let slow = gate();

  beforeAll(async () => {
    target = await createTestTarget(engine);
    db = await openDb(target.target);
    app = Fastify();
    await app.register(store, { config: createConfig({ store: target.target }), db });
    await app.register(fakeAuth);
    await app.register(idempotency);
    app.setErrorHandler((error: FastifyError, _request, reply) => {
      const coded = isHttpError(error)
        ? error
        : error.validation
          ? httpError('request.invalid', error.message)
          : httpError('internal', 'Internal server error.');
      if (coded.extra.retryAfterMs !== undefined) reply.header('retry-after', retryAfterSeconds(coded.extra.retryAfterMs));
      return reply.status(coded.statusCode).send(errorBody(coded));
    });
    const count = (name: string) => (calls[name] = (calls[name] ?? 0) + 1);
    const member = { access: 'member' as const };
    app.post('/api/things', { config: member }, async (request, reply) =>
      reply.status(201).send({ n: count('create'), body: request.body }),
    );
    app.put('/api/things/:id', { config: member }, async (request) => ({ n: count('put'), params: request.params }));
    app.delete('/api/things/:id', { config: member }, async () => ({ n: count('delete') }));
    app.post('/api/checked', { config: member }, async (request) => {
      const body = request.body as { fail?: string };
      if (body.fail === 'client') throw httpError('request.invalid', 'Not like that.');
      if (body.fail === 'server') throw new Error('boom');
      return { n: count('checked') };
    });
    app.post('/api/slow', { config: member }, async () => {
      count('slow');
      await slow.enter();
      return { n: calls.slow };
    });
    app.post('/api/handled', { config: { ...member, idempotency: 'handled' } }, async () => ({ n: count('handled') }));
    app.post('/api/public', { config: { access: 'public' } }, async () => ({ n: count('public') }));
    app.post('/elsewhere', { config: member }, async () => ({ n: count('elsewhere') }));
    app.get('/api/things', { config: member }, async () => ({ n: count('list') }));
    app.post('/api/empty', { config: member }, async (_request, reply) => reply.status(204).send());
  });
  afterAll(async () => {
    await app.close();
    await db.close();
    await target.drop();
  });
  beforeEach(async () => {
    for (const name of Object.keys(calls)) delete calls[name];
    slow = gate();
    await db.query('DELETE FROM idempotent_requests');
  });
  afterEach(() => vi.useRealTimers());

  type Method = 'POST' | 'PUT' | 'DELETE' | 'GET';
  const send = (method: Method, url: string, payload: object | undefined, key?: string, headers: Record<string, string> = {}) =>
    app.inject({
      method,
      url,
      headers: { ...(key === undefined ? {} : { 'idempotency-key': key }), ...headers },
      ...(payload ? { payload } : {}),
    });
  const rows = async () => (await db.query('SELECT * FROM idempotent_requests')).rows;

  it('replays the first 2xx response to the same key and request, without running the handler again', async () => {
    const first = await send('POST', '/api/things', { name: 'a' }, 'key-1');
    const second = await send('POST', '/api/things', { name: 'a' }, 'key-1');
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.headers['content-type']).toBe(first.headers['content-type']);
    expect(second.body).toBe(first.body);
    expect(calls.create).toBe(1);
  });

  it('fingerprints the body canonically: key order does not matter', async () => {
    await send('POST', '/api/things', { a: 1, b: { c: 2, d: [1, 2] } }, 'key-order');
    const again = await send('POST', '/api/things', { b: { d: [1, 2], c: 2 }, a: 1 }, 'key-order');
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(calls.create).toBe(1);
  });

  it('refuses the same key with a different body or URL: 409 idempotency.key_reused', async () => {
    await send('POST', '/api/things', { name: 'a' }, 'key-2');
    const body = await send('POST', '/api/things', { name: 'b' }, 'key-2');
    expect(body.statusCode).toBe(409);
    expect(body.json()).toEqual({ error: expect.any(String), code: 'idempotency.key_reused' });
    const query = await send('POST', '/api/things?dryRun=1', { name: 'a' }, 'key-2');
    expect(query.json().code).toBe('idempotency.key_reused');
    await send('PUT', '/api/things/1', { v: 1 }, 'key-put');
    expect((await send('PUT', '/api/things/1', { v: 2 }, 'key-put')).json().code).toBe('idempotency.key_reused');
    expect(calls).toEqual({ create: 1, put: 1 });
  });

  it('scopes a key by route, method, path parameters and principal', async () => {
    expect((await send('PUT', '/api/things/1', {}, 'shared')).statusCode).toBe(200);
    // Same route pattern, other id: the URL differs, so the key is reused for another request.
    expect((await send('PUT', '/api/things/2', {}, 'shared')).json().code).toBe('idempotency.key_reused');
    expect((await send('DELETE', '/api/things/1', undefined, 'shared')).statusCode).toBe(200);
    expect((await send('POST', '/api/things', {}, 'shared')).statusCode).toBe(201);
    expect((await send('POST', '/api/things', {}, 'shared', { 'x-test-user': 'usr_b' })).statusCode).toBe(201);
    expect((await send('POST', '/api/things', {}, 'shared', { 'x-test-token': 'tok_1' })).statusCode).toBe(201);
    expect(calls).toEqual({ put: 1, delete: 1, create: 3 });
    const principals = (await rows()).map((row) => row.principal).sort();
    expect(principals).toEqual(['token:tok_1', 'user:usr_a', 'user:usr_a', 'user:usr_a', 'user:usr_b']);
  });

  it('releases the key on a 4xx or 5xx, so the caller can fix the input and retry with it', async () => {
    const refused = await send('POST', '/api/checked', { fail: 'client' }, 'key-3');
    expect(refused.statusCode).toBe(400);
    expect(await rows()).toEqual([]);
    const broken = await send('POST', '/api/checked', { fail: 'server' }, 'key-3');
    expect(broken.statusCode).toBe(500);
    expect(await rows()).toEqual([]);
    const fixed = await send('POST', '/api/checked', {}, 'key-3');
    expect(fixed.statusCode).toBe(200);
    expect((await send('POST', '/api/checked', {}, 'key-3')).headers['idempotent-replayed']).toBe('true');
    expect(calls.checked).toBe(1);
  });

  it('answers a concurrent duplicate 409 idempotency.in_progress with Retry-After: 1, then replays', async () => {
    const first = send('POST', '/api/slow', {}, 'key-4');
    await slow.entered;
    const duplicate = await send('POST', '/api/slow', {}, 'key-4');
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.headers['retry-after']).toBe('1');
    expect(duplicate.json()).toMatchObject({ code: 'idempotency.in_progress', retryAfterMs: 1000 });
    // A different request under the held key is still a reuse, not a wait.
    expect((await send('POST', '/api/slow', { other: true }, 'key-4')).json().code).toBe('idempotency.key_reused');
    slow.open();
    expect((await first).statusCode).toBe(200);
    const replayed = await send('POST', '/api/slow', {}, 'key-4');
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.json()).toEqual({ n: 1 });
    expect(calls.slow).toBe(1);
  });

  it('runs the handler once when many duplicates arrive at once', async () => {
    slow.open();
    const answers = await Promise.all(Array.from({ length: 8 }, () => send('POST', '/api/slow', {}, 'key-5')));
    expect(calls.slow).toBe(1);
    const statuses = answers.map((answer) => answer.statusCode);
    expect(statuses.filter((status) => status === 200)).not.toHaveLength(0);
    expect(statuses.every((status) => status === 200 || status === 409)).toBe(true);
    for (const answer of answers.filter((a) => a.statusCode === 409)) expect(answer.json().code).toBe('idempotency.in_progress');
  });

  it.each([
    ['empty', ''],
    ['256 characters long', 'k'.repeat(256)],
    ['holding a control character', 'a\u0001b'],
    ['holding non-ASCII', 'clé'],
  ])('refuses a key %s: 400 idempotency.key_invalid, handler not run', async (_name, key) => {
    const refused = await app.inject({ method: 'POST', url: '/api/things', headers: { 'idempotency-key': key }, payload: {} });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().code).toBe('idempotency.key_invalid');
    expect(calls.create).toBeUndefined();
  });

  it('takes keys of up to 255 printable characters, spaces inside included', async () => {
    const key = `a ${'~'.repeat(252)}z`;
    expect(key).toHaveLength(255);
    expect((await send('POST', '/api/things', {}, key)).statusCode).toBe(201);
    expect((await send('POST', '/api/things', {}, key)).headers['idempotent-replayed']).toBe('true');
  });

  it('lets a key expire after 24 hours and prunes expired keys lazily', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    await send('POST', '/api/things', { v: 1 }, 'key-6');
    await send('POST', '/api/things', { v: 1 }, 'key-other');
    expect(await rows()).toHaveLength(2);
    vi.setSystemTime(start + IDEMPOTENCY_TTL_MS + 1000);
    // An expired key is free again, even for a different request; the other expired key is pruned.
    const fresh = await send('POST', '/api/things', { v: 2 }, 'key-6');
    expect(fresh.statusCode).toBe(201);
    expect(fresh.headers['idempotent-replayed']).toBeUndefined();
    expect(calls.create).toBe(3);
    expect((await rows()).map((row) => row.request_hash)).toHaveLength(1);
  });

  it('takes over a reservation whose lock ran out (its server died mid-request)', async () => {
    const stuck = slow;
    const first = send('POST', '/api/slow', {}, 'key-7');
    await stuck.entered;
    await db.query("UPDATE idempotent_requests SET locked_until = now() - interval '1 second'");
    slow = gate();
    slow.open();
    expect((await send('POST', '/api/slow', {}, 'key-7')).statusCode).toBe(200);
    expect(calls.slow).toBe(2);
    // The first request no longer holds the key: its late answer does not overwrite the stored one.
    const before = await rows();
    expect(before).toHaveLength(1);
    stuck.open();
    expect((await first).statusCode).toBe(200);
    expect(await rows()).toEqual(before);
  });

  it('stores neither the raw key nor the plain response', async () => {
    await send('POST', '/api/things', { secret: 'visible-only-to-the-caller' }, 'raw-key-value');
    const dump = JSON.stringify(await rows());
    expect(dump).not.toContain('raw-key-value');
    expect(dump).not.toContain('visible-only-to-the-caller');
  });

  it('replays a 2xx without a body', async () => {
    expect((await send('POST', '/api/empty', {}, 'key-8')).statusCode).toBe(204);
    const again = await send('POST', '/api/empty', {}, 'key-8');
    expect(again.statusCode).toBe(204);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('leaves routes that handle the key themselves, GETs, public routes and non-/api/ routes alone', async () => {
    for (let i = 0; i < 2; i += 1) {
      // Even a key this plugin would refuse: those routes validate it themselves, or ignore it.
      for (const url of ['/api/handled', '/api/public', '/elsewhere']) {
        expect((await send('POST', url, {}, 'k'.repeat(300))).statusCode).toBe(200);
      }
      expect((await send('GET', '/api/things', undefined, 'k'.repeat(300))).statusCode).toBe(200);
    }
    expect(calls).toEqual({ handled: 2, public: 2, elsewhere: 2, list: 2 });
    expect(await rows()).toEqual([]);
  });

  it('ignores requests without the header', async () => {
    await send('POST', '/api/things', {});
    await send('POST', '/api/things', {});
    expect(calls.create).toBe(2);
    expect(await rows()).toEqual([]);
  });
});

describe('Idempotency-Key on the real routes (PGlite)', () => {
  let server: TestServer;
  let token: string;
  let admin: string;
  beforeAll(async () => {
    server = await startTestServer();
    token = await server.mintToken(['desktop']);
    admin = await server.mintToken(['desktop', 'admin']);
  });
  afterAll(() => server.close());

  const send = (bearer: string, method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload: object, key?: string) =>
    server.app.inject({ method, url, headers: { authorization: `Bearer ${bearer}`, ...(key ? { 'idempotency-key': key } : {}) }, payload });
  const count = async (sql: string) => Number((await server.db.query<{ n: string }>(sql)).rows[0]!.n);

  it('creates one session for a repeated POST /api/sessions', async () => {
    const before = await count('SELECT count(*) AS n FROM sessions');
    const first = await send(token, 'POST', '/api/sessions', {}, 'session-1');
    const second = await send(token, 'POST', '/api/sessions', {}, 'session-1');
    expect(first.statusCode).toBe(201);
    expect(second.json()).toEqual(first.json());
    expect(await count('SELECT count(*) AS n FROM sessions')).toBe(before + 1);
  });

  it('applies a repeated DELETE /api/settings/:key once and answers the same', async () => {
    await send(token, 'PUT', '/api/settings/gone', { value: { a: 1 } });
    const first = await send(token, 'DELETE', '/api/settings/gone', {}, 'delete-1');
    const second = await send(token, 'DELETE', '/api/settings/gone', {}, 'delete-1');
    expect(first.json()).toEqual({ deleted: true });
    expect(second.json()).toEqual({ deleted: true });
    expect(second.headers['idempotent-replayed']).toBe('true');
  });

  it('session commands run the key in their own transaction (app.idempotent): one hashed, sealed record, done with the reply', async () => {
    const sessionId = (await send(token, 'POST', '/api/sessions', {})).json().session.sessionId as string;
    const first = await send(token, 'POST', `/api/sessions/${sessionId}/abort`, {}, 'abort-1');
    const second = await send(token, 'POST', `/api/sessions/${sessionId}/abort`, {}, 'abort-1');
    expect(first.statusCode).toBe(202);
    expect(second.statusCode).toBe(202);
    expect(second.json()).toEqual(first.json());
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await count("SELECT count(*) AS n FROM idempotent_requests WHERE route = '/api/sessions/:id/abort' AND state = 'done'")).toBe(1);
    // The same rule for keys as every other route (1 to 255 printable characters).
    expect((await send(token, 'POST', `/api/sessions/${sessionId}/abort`, {}, 'k'.repeat(256))).json().code).toBe(
      'idempotency.key_invalid',
    );
  });

  it('channel routes run the key in their own transaction (app.idempotent): one hashed, sealed record, done with the reply', async () => {
    const first = await send(admin, 'POST', '/api/channels/agents', { name: 'Once' }, 'agent-1');
    const second = await send(admin, 'POST', '/api/channels/agents', { name: 'Once' }, 'agent-1');
    expect(first.statusCode).toBe(201);
    expect(second.json().agent.agentId).toBe(first.json().agent.agentId);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await count("SELECT count(*) AS n FROM idempotent_requests WHERE route = '/api/channels/agents' AND state = 'done'")).toBe(1);
  });

  it('does not reserve a key for a request refused by validation', async () => {
    const refused = await send(token, 'POST', '/api/workflows', { name: 42 }, 'workflow-bad');
    expect(refused.statusCode).toBe(400);
    expect(await count("SELECT count(*) AS n FROM idempotent_requests WHERE route = '/api/workflows'")).toBe(0);
    const fixed = await send(
      token,
      'POST',
      '/api/workflows',
      { name: 'Fixed', prompt: 'p', triggers: [{ type: 'manual' }] },
      'workflow-bad',
    );
    expect(fixed.statusCode).toBeLessThan(300);
  });
});
