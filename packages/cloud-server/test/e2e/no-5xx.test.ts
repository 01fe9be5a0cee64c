import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';

interface Operation {
  method: string;
  path: string;
  params: string[];
  query: string[];
  bodyKeys: string[];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** The operations of the OpenAPI document a request/response exchange can drive (SSE streams never end). */
function operationsOf(document: { paths: Record<string, Record<string, any>> }): Operation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method] && !JSON.stringify(item[method].responses ?? {}).includes('text/event-stream')).map(
      (method) => {
        const operation = item[method];
        const parameters: Array<{ in: string; name: string }> = operation.parameters ?? [];
        const body = operation.requestBody?.content?.['application/json']?.schema;
        return {
          method: method.toUpperCase(),
          path,
          params: parameters.filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name),
          query: parameters.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name),
          bodyKeys: Object.keys(body?.properties ?? {}),
        };
      },
    ),
  );
}

/** A JSON value whose keys are often the operation's own, so that generated bodies get past the first checks. */
const bodyFor = (keys: string[]) =>
  fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    keys.length === 0 ? fc.constant({}) : fc.dictionary(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 3 }), { maxKeys: keys.length }),
  );

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('0', '-1', '1e999', 'null', 'true', '0000-01-01T00:00:00Z', '%', '..'),
);

describe('every operation of the OpenAPI document, driven with generated input', () => {
  let server: TestServer;
  let token: string;
  let operations: Operation[];
  let tables: string[];
  beforeAll(async () => {
    // No rate limit: the run sends hundreds of requests a minute.
    server = await startTestServer({ config: { security: { rateLimit: { authPerMinute: 0, apiPerMinute: 0 } } } });
    token = await server.mintToken(['desktop', 'admin', 'gateway']);
    operations = operationsOf(await (await fetch(`${server.baseUrl}/api/openapi.json`)).json());
    const { rows } = await server.db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
    );
    tables = rows.map((row) => row.table_name);
  }, 120_000);
  afterAll(() => server?.close());

  /** Row counts and the latest change of every table: what a refused request must leave alone. */
  const storeState = async () => {
    const { rows } = await server.db.query(
      `SELECT ${tables.map((table, index) => `(SELECT count(*)::int FROM "${table}") AS c${index}`).join(', ')}`,
    );
    return rows[0];
  };

  it('answers 2xx/3xx, or 4xx (501 where nothing is configured) with {error, code} and no change to the store; never a failure', async () => {
    expect(operations.length).toBeGreaterThan(80);
    const request = fc.constantFrom(...operations).chain((operation) =>
      fc.record({
        operation: fc.constant(operation),
        params: fc.tuple(...operation.params.map(() => text)),
        query: fc.dictionary(fc.oneof(fc.constantFrom(...operation.query, 'x'), fc.string({ maxLength: 8 })), text, { maxKeys: 3 }),
        body: bodyFor(operation.bodyKeys),
      }),
    );
    await fc.assert(
      fc.asyncProperty(request, async ({ operation, params, query, body }) => {
        let index = 0;
        const path = operation.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(params[index++] ?? ''));
        const search = new URLSearchParams(query).toString();
        const before = await storeState();
        const response = await server.app.inject({
          method: operation.method as 'GET',
          url: `${path}${search ? `?${search}` : ''}`,
          headers: {
            authorization: `Bearer ${token}`,
            ...(operation.method === 'GET' || operation.method === 'DELETE' ? {} : { 'content-type': 'application/json' }),
          },
          ...(operation.method === 'GET' || operation.method === 'DELETE' ? {} : { payload: JSON.stringify(body) }),
        });
        const label = `${operation.method} ${path}?${search} ${JSON.stringify(body).slice(0, 200)} → ${response.statusCode} ${response.body.slice(0, 200)}`;
        // 501 is a contract answer, not a failure: the billing routes of a cloud without a billing provider.
        const refused = response.statusCode >= 400;
        if (response.statusCode !== 501) expect(response.statusCode, label).toBeLessThan(500);
        if (refused) {
          const answer = response.json();
          expect(typeof answer.error, label).toBe('string');
          expect(typeof answer.code, label).toBe('string');
          expect(await storeState(), label).toEqual(before);
        }
      }),
      // Bounded: a few hundred requests, cut short on a slow machine rather than timing out.
      { numRuns: 400, interruptAfterTimeLimit: 30_000, markInterruptAsFailure: false },
    );
  }, 120_000);
});
