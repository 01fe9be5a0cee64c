import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsCases } from '@open-cowork/test-support/cases/artifacts';
import { billingCases } from '@open-cowork/test-support/cases/billing';
import { byokCases } from '@open-cowork/test-support/cases/byok';
import { capabilitiesCases } from '@open-cowork/test-support/cases/capabilities';
import { channelsCases } from '@open-cowork/test-support/cases/channels';
import { configCases } from '@open-cowork/test-support/cases/config';
import { identityCases } from '@open-cowork/test-support/cases/identity';
import { sessionsCases } from '@open-cowork/test-support/cases/sessions';
import { settingsCases } from '@open-cowork/test-support/cases/settings';
import { threadsCases } from '@open-cowork/test-support/cases/threads';
import { transportUrlCases } from '@open-cowork/test-support/cases/transport';
import { workflowsCases } from '@open-cowork/test-support/cases/workflows';
import type { DomainCase } from '@open-cowork/test-support/cases/exchange';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';

interface Operation {
  parameters?: { name: string; in: string; required?: boolean }[];
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: { $ref?: string } }> }>;
  requestBody?: unknown;
  security?: unknown[];
  'x-access'?: string;
  'x-body-limit'?: number;
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const tables: Record<string, DomainCase[]> = {
  artifacts: artifactsCases,
  billing: billingCases,
  byok: byokCases,
  capabilities: capabilitiesCases,
  channels: channelsCases,
  config: configCases,
  identity: identityCases,
  sessions: sessionsCases,
  settings: settingsCases,
  threads: threadsCases,
  workflows: workflowsCases,
};

/** Every `(method, path)` the client's case tables send, with the domain and method that sends it. */
function clientRequests(): { domain: string; call: string; method: string; path: string }[] {
  const requests = Object.entries(tables).flatMap(([domain, cases]) =>
    cases.flatMap((c) => c.exchanges.map(({ request }) => ({ domain, call: c.method, method: request.method, path: request.path }))),
  );
  for (const c of transportUrlCases) {
    requests.push({ domain: 'transport', call: c.method, method: 'GET', path: new URL(c.url).pathname + new URL(c.url).search });
  }
  return requests;
}

/** `/api/sessions/{id}` → a RegExp matching `/api/sessions/ses_1` (one segment per parameter). */
function templateRegExp(template: string): RegExp {
  const pattern = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part === '{*}' ? '.*' : part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}$`);
}

/** The routes Fastify serves, from `printRoutes({commonPrefix: false})`: `METHOD /path` lines. */
function servedRoutes(tree: string): string[] {
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:[│ ] {3})*)(?:├── |└── )(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    const path = (stack[depth - 1] ?? '') + match[2]!;
    stack[depth] = path;
    for (const method of (match[3] ?? '').split(', ').filter(Boolean)) routes.push(`${method} ${path}`);
  }
  return routes;
}

/** `GET /api/sessions/{id}` → `GET /api/sessions/:id`, as Fastify writes routes. */
const fromTemplate = (route: string) => route.replace(/\{(\w+)\}/g, ':$1');

describe('GET /api/openapi.json', () => {
  let server: TestServer;
  let document: OpenApiDocument;

  beforeAll(async () => {
    server = await startTestServer();
    const response = await fetch(`${server.baseUrl}/api/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    document = (await response.json()) as OpenApiDocument;
  }, 60_000);
  afterAll(async () => server?.close());

  const operations = () =>
    Object.entries(document.paths).flatMap(([path, item]) =>
      HTTP_METHODS.filter((method) => item[method]).map((method) => ({ path, method, operation: item[method]! })),
    );

  it('is public: no credentials needed', async () => {
    // beforeAll fetched it without any; a second anonymous fetch answers the same document.
    const again = await (await fetch(`${server.baseUrl}/api/openapi.json`)).json();
    expect(again).toEqual(document);
  });

  it('has the basic shape of an OpenAPI 3.1 document', () => {
    expect(document.openapi).toMatch(/^3\.1\.\d+$/);
    expect(document.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(Object.keys(document.paths).length).toBeGreaterThan(50);
    for (const { path, method, operation } of operations()) {
      expect(Object.keys(operation.responses ?? {}), `${method} ${path}`).not.toHaveLength(0);
      // Every path parameter of the template is declared.
      const declared = (operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) expect(declared, `${method} ${path}`).toContain(name);
    }
  });

  it('documents the error body once and refers every operation to it for 4xx and 5xx', () => {
    const errorBody = document.components.schemas.ErrorBody!;
    expect(Object.keys(errorBody.properties ?? {})).toEqual(['error', 'code', 'retryAfterMs', 'verdict']);
    expect(errorBody.required).toEqual(['error', 'code']);
    for (const { path, method, operation } of operations()) {
      for (const range of ['4XX', '5XX']) {
        expect(operation.responses?.[range]?.content?.['application/json']?.schema, `${method} ${path} ${range}`).toEqual({
          $ref: '#/components/schemas/ErrorBody',
        });
      }
    }
  });

  it('lists every route the server serves (HEAD twins of GET routes aside), and nothing else', () => {
    // printRoutes nests wildcard routes oddly (`/assets/*` prints as `*`), so: as many documented
    // operations as served routes, and every documented one served.
    const served = servedRoutes(server.app.printRoutes({ commonPrefix: false })).filter((route) => !route.startsWith('HEAD '));
    const documented = operations().map(({ path, method }) => `${method.toUpperCase()} ${path}`);
    expect(served.length).toBeGreaterThan(50);
    expect(documented).toHaveLength(served.length);
    for (const { path, method } of operations()) {
      const url = path.replace(/\{\*\}$/, '*').replace(/\{(\w+)\}/g, ':$1');
      expect(server.app.hasRoute({ method: method.toUpperCase() as 'GET', url }), `${method} ${path}`).toBe(true);
    }
    expect(served).toEqual(expect.arrayContaining(documented.filter((route) => !route.includes('{*}')).map(fromTemplate)));
    // SSE, webhooks and this document are routes like the others.
    for (const route of [
      'GET /api/events',
      'GET /api/sessions/{id}/events',
      'GET /api/channels/deliveries/stream',
      'POST /webhooks/workflows/{id}',
      'GET /api/openapi.json',
    ]) {
      expect(documented).toContain(route);
    }
  });

  it("states each route's access rule, marks public routes as needing no credentials, and gives body caps", () => {
    for (const { path, method, operation } of operations()) {
      expect(['public', 'member', 'admin', 'operator'], `${method} ${path}`).toContain(operation['x-access']);
      if (operation['x-access'] === 'public') expect(operation.security, `${method} ${path}`).toEqual([]);
      if (['post', 'put', 'patch', 'delete'].includes(method)) expect(operation['x-body-limit'], `${method} ${path}`).toBeGreaterThan(0);
    }
    expect(document.paths['/api/metrics']!.get!['x-access']).toBe('operator');
    expect(document.paths['/api/project-sources/snapshots']!.post!['x-body-limit']).toBeGreaterThan(30 * 1024 * 1024);
    expect(document.paths['/api/sessions']!.post!['x-body-limit']).toBe(1024 * 1024);
    expect(document.paths['/api/openapi.json']!.get!.security).toEqual([]);
    expect(document.paths['/webhooks/workflows/{id}']!.post!.security).toEqual([]);
    expect(document.paths['/api/sessions']!.get!.security).toBeUndefined();
  });

  it('offers the Idempotency-Key header on authenticated mutating /api/ operations only', () => {
    const idempotencyKey = { $ref: '#/components/parameters/IdempotencyKey' };
    expect(JSON.stringify(document.components)).toContain('"name":"Idempotency-Key"');
    for (const { path, method, operation } of operations()) {
      const offered = (operation.parameters ?? []).some((parameter) => JSON.stringify(parameter) === JSON.stringify(idempotencyKey));
      const expected =
        ['post', 'put', 'patch', 'delete'].includes(method) && path.startsWith('/api/') && operation['x-access'] !== 'public';
      expect(offered, `${method} ${path}`).toBe(expected);
    }
  });

  it('describes request bodies and parameters from the TypeBox schemas the routes validate with', () => {
    const create = document.paths['/api/workflows']!.post!;
    expect(create.requestBody).toMatchObject({ content: { 'application/json': { schema: { type: 'object' } } } });
    const list = document.paths['/api/sessions']!.get!;
    expect((list.parameters ?? []).map((p) => p.name)).toEqual(expect.arrayContaining(['limit', 'cursor']));
  });

  it('has a path template for every (method, path) the client sends in its case tables', () => {
    const templates = operations().map(({ path, method }) => ({ method: method.toUpperCase(), path, pattern: templateRegExp(path) }));
    const requests = clientRequests();
    expect(requests.length).toBeGreaterThan(100);
    const missing = requests
      .filter(({ method, path }) => {
        const bare = path.split('?')[0]!;
        return !templates.some((t) => t.method === method && t.pattern.test(bare));
      })
      .map(({ domain, call, method, path }) => `${domain}.${call}: ${method} ${path}`);
    expect([...new Set(missing)]).toEqual([]);
  });
});
