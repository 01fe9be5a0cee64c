import { expect } from 'vitest';
import type { TestServer } from '@open-cowork/test-support/server';

/** A bad request and what it must be answered with. */
export interface BadInputCase {
  name: string;
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Built lazily: paths may name records created by the suite's setup. */
  url: () => string;
  /** A JSON value (or a function building it once setup ran), or raw text sent as application/json. */
  body?: unknown;
  raw?: string;
  status: 400 | 401 | 404 | 409 | 413;
  code: string;
}

/** Row counts of the tables a bad request must leave untouched. */
async function snapshot(server: TestServer, tables: readonly string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of [...tables, 'audit_events', 'session_events']) {
    const { rows } = await server.db.query<{ count: string | number }>(`SELECT count(*) AS count FROM ${table}`);
    counts[table] = Number(rows[0]!.count);
  }
  return counts;
}

/** Sends `bad` and checks the status, the `{error, code}` body, and that no table changed. */
export async function expectRefused(server: TestServer, token: string, bad: BadInputCase, tables: readonly string[]): Promise<void> {
  const before = await snapshot(server, tables);
  const hasBody = bad.raw !== undefined || bad.body !== undefined;
  const response = await server.app.inject({
    method: bad.method,
    url: bad.url(),
    headers: { authorization: `Bearer ${token}`, ...(hasBody ? { 'content-type': 'application/json' } : {}) },
    ...(hasBody ? { payload: bad.raw ?? JSON.stringify(typeof bad.body === 'function' ? (bad.body as () => unknown)() : bad.body) } : {}),
  });
  const body = response.json() as { error?: unknown; code?: unknown };
  expect({ status: response.statusCode, code: body.code }, bad.name).toEqual({ status: bad.status, code: bad.code });
  expect(typeof body.error, bad.name).toBe('string');
  expect(await snapshot(server, tables), bad.name).toEqual(before);
}
