import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DOMAIN_CLIENTS, methodsOf } from '@open-cowork/test-support/domain-clients';
import openapiTS, { astToString } from 'openapi-typescript';
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
import { isDocumented } from '@open-cowork/test-support/documented-statuses';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';
import { OPERATIONS, TAGS } from '../src/openapi-operations.js';

interface Operation {
  operationId?: string;
  tags?: string[];
  summary?: string;
  parameters?: { name: string; in: string; required?: boolean; description?: string; $ref?: string }[];
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: { $ref?: string } }> }>;
  requestBody?: unknown;
  security?: unknown[];
  'x-access'?: string;
  'x-body-limit'?: number;
  'x-client'?: boolean;
  'x-client-methods'?: string[];
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  servers?: { url: string }[];
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }>;
    parameters: Record<string, { name: string; in: string }>;
  };
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

/**
 * Exchanges of the client's case tables whose bodies the generated client's types refuse, by case
 * (`<domain>.<method> #<case>[.<exchange>]`), with why. The test fails on a refusal missing from
 * this list and on an entry that is accepted now.
 */
const CASES_OFF_DOCUMENT: Record<string, string> = {
  'channels.updateChannelCursor #25': 'a 404 body without `code`: the client copes with error bodies of older servers',
  'config.getRuntimeStatus #2': 'an abbreviated answer: the server also sends runtime, process, workers, leasesHeld and queue',
  'identity.getAdminPolicy #6': 'an abbreviated answer: `{orgId}` only',
  'identity.iterateAdminAuditEvents #17.0': 'abbreviated audit events (eventId, createdAt, action)',
  'identity.iterateAdminAuditEvents #17.1': 'abbreviated audit events (eventId, createdAt, action)',
  'identity.listAdminAuditEvents #13': 'abbreviated audit events (eventId, createdAt, action)',
  'identity.listAdminAuditEventsPage #15': 'abbreviated audit events (eventId, createdAt, action)',
  'identity.listAdminAuditEventsPage #16': 'abbreviated audit events (eventId, createdAt, action)',
  'settings.listSettings #0': 'entries without a key, and `null`, which the client drops (an earlier server sent them)',
  'threads.searchThreads #0': 'an earlier server’s thread list (no nextCursor or totalEstimate), which the client completes',
  'threads.searchThreads #1': 'an earlier server’s thread list (status `error`, no paging fields), which the client normalises',
  'threads.searchThreads #2': 'an earlier server’s thread list (tags as ids), which the client normalises',
  'threads.threadFacets #3.0': 'an earlier server’s thread list (no nextCursor or totalEstimate), which the client completes',
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

/** The documented operation a request goes to: of the templates that match, the one with fewest parameters. */
function operationFor(document: OpenApiDocument, method: string, path: string) {
  const bare = path.split('?')[0]!;
  const matches = Object.entries(document.paths)
    .filter(([template, item]) => item[method.toLowerCase()] && templateRegExp(template).test(bare))
    .sort(([a], [b]) => a.split('{').length - b.split('{').length);
  const [template, item] = matches[0] ?? [];
  return template && item ? { route: `${method} ${template}`, operation: item[method.toLowerCase()]! } : undefined;
}

/** Every exchange of the client's case tables, with the operation it goes to. */
function clientExchanges(document: OpenApiDocument) {
  return Object.entries(tables).flatMap(([domain, cases]) =>
    cases.flatMap((c, index) =>
      c.exchanges.map((exchange, step) => ({
        label: `${domain}.${c.method} #${index}${c.exchanges.length > 1 ? `.${step}` : ''}`,
        domain,
        call: c.method,
        exchange,
        status: exchange.response.status ?? 200,
        ...operationFor(document, exchange.request.method, exchange.request.path)!,
      })),
    ),
  );
}

/** The response key that documents `status`: the status itself, else its range. */
const responseKey = (responses: Record<string, unknown>, status: number) =>
  String(status) in responses ? String(status) : `${String(status)[0]}XX`;

const isJson = (value: unknown) => JSON.stringify(value) !== undefined && typeof value !== 'string';

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
    // The `/docs` page's own routes (Swagger UI's files) are hidden from the document.
    const served = servedRoutes(server.app.printRoutes({ commonPrefix: false })).filter(
      (route) => !route.startsWith('HEAD ') && !/^GET \/docs(\/|$)/.test(route),
    );
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

  it('gives every operation a unique operationId, one tag and a summary, and the document a server', () => {
    expect(document.servers).toEqual([expect.objectContaining({ url: '/' })]);
    const tags = new Map((document.tags ?? []).map((tag) => [tag.name, tag.description]));
    expect([...tags.keys()]).toEqual(Object.keys(TAGS));
    for (const description of tags.values()) expect(description).toMatch(/\S/);
    const ids = new Set<string>();
    for (const { path, method, operation } of operations()) {
      const route = `${method.toUpperCase()} ${path}`;
      expect(operation.operationId, route).toMatch(/^[a-z]+\.[a-zA-Z]+$/);
      expect(ids.has(operation.operationId!), `${route}: ${operation.operationId} is taken`).toBe(false);
      ids.add(operation.operationId!);
      // The tag is the id's prefix, and a tag of the document.
      expect(operation.tags, route).toEqual([operation.operationId!.split('.')[0]]);
      expect(tags.has(operation.tags![0]!), route).toBe(true);
      expect(operation.summary, route).toMatch(/\S/);
    }
  });

  it('has an operation table entry for every operation, and none for a route the server does not serve', () => {
    const documented = operations().map(({ path, method }) => `${method.toUpperCase()} ${path}`);
    expect(documented.filter((route) => !OPERATIONS[route])).toEqual([]);
    expect(Object.keys(OPERATIONS).filter((route) => !documented.includes(route))).toEqual([]);
  });

  it('names operations after the client methods that call them, and marks the ones no client method calls', () => {
    for (const { path, method, operation } of operations()) {
      const route = `${method.toUpperCase()} ${path}`;
      const [domain, name] = operation.operationId!.split('.') as [string, string];
      if (operation['x-client'] === false) {
        expect(operation['x-client-methods'], route).toBeUndefined();
        continue;
      }
      // `<domain>.<method>`: the first of the methods that call it, each a method of that domain's client.
      expect(operation['x-client-methods']?.[0], route).toBe(name);
      for (const called of operation['x-client-methods'] ?? []) expect(methodsOf(domain), route).toContain(called);
    }
    // Every exchange of the case tables goes to an operation that lists the method making it.
    for (const { label, call, route, operation } of clientExchanges(document)) {
      expect(operation['x-client-methods'], `${label} → ${route}`).toContain(call);
    }
    // Every method of every domain that makes a request is listed somewhere (URL builders and streams included).
    const listed = new Set(operations().flatMap(({ operation }) => operation['x-client-methods'] ?? []));
    const unlisted = Object.keys(DOMAIN_CLIENTS).flatMap((domain) =>
      methodsOf(domain)
        .filter((m) => !listed.has(m))
        .map((m) => `${domain}.${m}`),
    );
    expect(unlisted).toEqual([]);
  });

  it('documents the SSE operations as text/event-stream with their message schemas and resume parameters', () => {
    const streams: Record<string, { message: string; resumable: boolean }> = {
      'GET /api/sessions/{id}/events': { message: 'SessionStreamMessage', resumable: true },
      'GET /api/channels/sessions/{bindingId}/events': { message: 'SessionStreamMessage', resumable: true },
      'GET /api/events': { message: 'WorkspaceStreamMessage', resumable: true },
      'GET /api/channels/deliveries/stream': { message: 'DeliveryStreamMessage', resumable: false },
    };
    for (const { path, method, operation } of operations()) {
      const route = `${method.toUpperCase()} ${path}`;
      const stream = streams[route];
      const content = operation.responses?.['200']?.content ?? {};
      if (!stream) {
        expect(content, route).not.toHaveProperty(['text/event-stream']);
        continue;
      }
      expect(Object.keys(content), route).toEqual(['text/event-stream']);
      expect(content['text/event-stream']!.schema, route).toEqual({ $ref: `#/components/schemas/${stream.message}` });
      const after = (operation.parameters ?? []).find((parameter) => parameter.in === 'query' && parameter.name === 'after');
      const lastEventId = (operation.parameters ?? []).some((parameter) => parameter.$ref === '#/components/parameters/LastEventId');
      expect(Boolean(after?.description?.includes('afterSequence')), route).toBe(stream.resumable);
      expect(lastEventId, route).toBe(stream.resumable);
    }
    expect(document.components.parameters.LastEventId).toMatchObject({ name: 'Last-Event-ID', in: 'header' });
    // Each message schema: an `event:` name and a `data:` line whose JSON has a schema of its own.
    const session = JSON.stringify(document.components.schemas.SessionStreamMessage);
    expect(session).toContain('"contentMediaType":"application/json"');
    expect(session).toContain('#/components/schemas/SessionEvent');
    expect(session).toContain('#/components/schemas/SnapshotRequiredEvent');
    expect(JSON.stringify(document.components.schemas.DeliveryStreamMessage)).toContain('#/components/schemas/ChannelDelivery');
  });

  it('has a response schema for every status an operation answers (redirects aside)', () => {
    const missing = operations().flatMap(({ path, method, operation }) =>
      Object.entries(operation.responses ?? {})
        .filter(([status, response]) => !/^3/.test(status) && !Object.values(response.content ?? {}).some((media) => media.schema))
        .map(([status]) => `${method.toUpperCase()} ${path} ${status}`),
    );
    expect(missing).toEqual([]);
  });

  it('documents one success (or redirect) status per operation, the one the client expects in its case tables', () => {
    // Creating a delivery answers 201, or 200 with the delivery that already has the same key.
    const twoSuccesses = new Set(['POST /api/channels/deliveries']);
    for (const { path, method, operation } of operations()) {
      const route = `${method.toUpperCase()} ${path}`;
      const successes = Object.keys(operation.responses ?? {}).filter((status) => /^[23]/.test(status));
      expect(successes.length, `${route}: ${successes.join(', ')}`).toBe(twoSuccesses.has(route) ? 2 : 1);
    }
    const wrong = clientExchanges(document)
      .filter(({ status, operation }) => !isDocumented(operation.responses ?? {}, status))
      .map(({ label, route, status }) => `${label}: ${route} answers ${status}`);
    expect(wrong).toEqual([]);
  });

  it('generates a client with openapi-typescript that takes the request and response bodies of the case tables', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'occ-openapi-types-'));
    try {
      await writeFile(join(dir, 'api.ts'), astToString(await openapiTS(document as never)));
      const lines = [
        "import type { operations } from './api.js';",
        "type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;",
      ];
      // The case each line checks, by line number (1-based, as tsc reports them).
      const caseOfLine: string[] = ['', '', ''];
      const check = (label: string, type: string, value: unknown) => {
        lines.push(`export const check${lines.length}: ${type} = ${JSON.stringify(value)};`);
        caseOfLine.push(label);
      };
      for (const { label, exchange, status, operation } of clientExchanges(document)) {
        const id = JSON.stringify(operation.operationId);
        if (exchange.request.body !== undefined && operation.requestBody) {
          check(label, `Json<NonNullable<operations[${id}]['requestBody']>>`, exchange.request.body);
        }
        const key = responseKey(operation.responses ?? {}, status);
        if (operation.responses?.[key]?.content?.['application/json']?.schema && isJson(exchange.response.body)) {
          check(label, `Json<operations[${id}]['responses'][${JSON.stringify(key)}]>`, exchange.response.body);
        }
      }
      expect(lines.length).toBeGreaterThan(100);
      await writeFile(join(dir, 'cases.ts'), lines.join('\n'));
      const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
      const options = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--skipLibCheck'];
      const output = await promisify(execFile)(process.execPath, [tsc, ...options, 'cases.ts'], { cwd: dir }).then(
        () => '',
        (error: { stdout?: string }) => error.stdout ?? String(error),
      );
      // tsc's errors, by the case whose line they are on (continuation lines go with the error above).
      const failing = new Map<string, string[]>();
      let current = '';
      for (const line of output.split('\n').filter(Boolean)) {
        const at = /^cases\.ts\((\d+),/.exec(line);
        if (at) current = caseOfLine[Number(at[1])] ?? `line ${at[1]}`;
        failing.set(current, [...(failing.get(current) ?? []), line]);
      }
      const details = [...failing.values()].flat().join('\n');
      expect([...failing.keys()].sort(), details).toEqual(Object.keys(CASES_OFF_DOCUMENT).sort());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
