import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cursorScope, keysetCursor } from '../src/cursor.js';
import { httpError } from '../src/errors.js';
import { createTenantStore } from '../src/store/tenants.js';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';

const format = keysetCursor({ time: 'updatedAt', id: 'sessionId', invalid: () => httpError('sessions.cursor.invalid', 'bad cursor') });
const raw = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('keyset cursors', () => {
  const scope = cursorScope({ tenantId: 't', userId: 'u' });

  it('round-trips a position within its scope', () => {
    const cursor = format.encode({ updatedAt: '2026-01-02T03:04:05.678Z', sessionId: 'ses_1' }, scope);
    expect(format.decode(cursor, scope)).toEqual({ updatedAt: '2026-01-02T03:04:05.678Z', sessionId: 'ses_1' });
  });

  it('pages rows fetched with limit + 1: a cursor only when the extra row came back', () => {
    const rows = [1, 2, 3].map((n) => ({ updatedAt: `2026-01-0${n}T00:00:00.000Z`, sessionId: `ses_${n}`, n }));
    const full = format.page(rows, 2, scope);
    expect(full.page.map((row) => row.n)).toEqual([1, 2]);
    expect(format.decode(full.nextCursor!, scope)).toEqual({ updatedAt: rows[1]!.updatedAt, sessionId: 'ses_2' });
    expect(format.page(rows.slice(0, 2), 2, scope)).toEqual({ page: rows.slice(0, 2), nextCursor: null });
    expect(format.page([], 2, scope)).toEqual({ page: [], nextCursor: null });
  });

  it('refuses garbled cursors, cursors of another scope and positions that are not text', () => {
    const good = { v: 1, updatedAt: '2026-01-02T03:04:05.678Z', sessionId: 'ses_1', scopeHash: scope };
    for (const bad of [
      'not base64 json',
      raw(null),
      raw('text'),
      raw({ ...good, v: 2 }),
      raw({ ...good, scopeHash: cursorScope({ tenantId: 't', userId: 'other' }) }),
      raw({ ...good, sessionId: 7 }),
      raw({ ...good, updatedAt: 'yesterday' }),
      // Date.parse(0) parses (as the text "0"): the session, workflow and thread cursors used to accept it.
      raw({ ...good, updatedAt: 0 }),
    ]) {
      expect(() => format.decode(bad, scope), bad).toThrow(expect.objectContaining({ statusCode: 400, code: 'sessions.cursor.invalid' }));
    }
  });
});

// The session, workflow and thread cursors checked only Date.parse(updatedAt), so a forged cursor
// with `updatedAt: 0` was accepted and its number sent to the database as the keyset position.
describe('a list route given a cursor whose timestamp is not text', () => {
  let server: TestServer;
  let token: string;
  let scope: { tenantId: string; userId: string };
  beforeAll(async () => {
    server = await startTestServer();
    token = await server.mintToken(['desktop']);
    const user = await createTenantStore().ensureUser(server.db, { email: server.config.ownerEmail });
    scope = { tenantId: server.app.defaultOrg.orgId, userId: user.userId };
  });
  afterAll(() => server.close());

  const get = async (url: string) => server.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

  it('answers 400 sessions.cursor.invalid instead of paging from it', async () => {
    const scopeHash = cursorScope({ ...scope, status: null, profileName: null, query: '' });
    const response = await get(`/api/sessions?cursor=${raw({ v: 1, updatedAt: 0, sessionId: 'ses_1', scopeHash })}`);
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('sessions.cursor.invalid');
  });

  it('answers 400 workflows.cursor.invalid instead of paging from it', async () => {
    const scopeHash = cursorScope(scope);
    const response = await get(`/api/workflows?cursor=${raw({ v: 1, updatedAt: 0, workflowId: 'wf_1', scopeHash })}`);
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('workflows.cursor.invalid');
  });
});
