/**
 * The bad-input sweep: every mutating `/api/` operation of the OpenAPI document, sent
 * (a) a body that is not JSON, (b) a JSON array, (c) a body whose fields have the wrong types
 * (generated from the operation's request schema), (d) a body over the route's size cap, and
 * (e) ids of resources that do not exist, (f–h) NUL characters and malformed percent-encoding in
 * ids and NUL in body strings — each answered with a 4xx carrying string `error` and
 * `code` (never a 5xx, never a hang), and no table changed (row counts and row contents).
 *
 * Path ids name real records (created in setup) wherever the route validates its body before it
 * could act, so a refusal proves the validation and not just a missing record.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../src/services/workflow-webhooks.js';
import { startTestServer } from '@open-cowork/test-support/server';

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  minLength?: number;
  minimum?: number;
  pattern?: string;
  format?: string;
}
interface Operation {
  requestBody?: { content?: { 'application/json'?: { schema?: JsonSchema } } };
  'x-access'?: string;
  'x-body-limit'?: number;
}
interface Sweep {
  method: string;
  path: string;
  access: string;
  bodyLimit: number;
  schema: JsonSchema | null;
}

const MUTATING = ['post', 'put', 'patch', 'delete'];
const REQUEST_TIMEOUT_MS = 15_000;
const MISSING = 'does-not-exist';

// One server for the whole file (PGlite), started while the test cases are collected: the cases
// are the document's operations.
const server = await startTestServer({ config: { byok: { key: randomBytes(32).toString('base64'), kmsRefPrefixes: [] } } });
const adminToken = await server.mintToken(['desktop', 'admin']);
const operatorToken = await server.mintToken(['operator'], { name: 'operator sweep' });
const document = (await (await fetch(`${server.baseUrl}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, Operation>> };

const sweeps: Sweep[] = Object.entries(document.paths)
  .filter(([path]) => path.startsWith('/api/'))
  .flatMap(([path, item]) =>
    MUTATING.filter((method) => item[method]).map((method) => {
      const operation = item[method]!;
      return {
        method: method.toUpperCase(),
        path,
        access: operation['x-access'] ?? 'member',
        bodyLimit: operation['x-body-limit'] ?? 1024 * 1024,
        schema: operation.requestBody?.content?.['application/json']?.schema ?? null,
      };
    }),
  );

/** Sends one request with the token the route's access rule needs; `body` is sent as is. */
async function send(sweep: Sweep, path: string, body: string | undefined) {
  const token = sweep.access === 'operator' ? operatorToken : adminToken;
  const response = await fetch(`${server.baseUrl}${path}`, {
    method: sweep.method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  let json: { error?: unknown; code?: unknown } | null = null;
  try {
    json = JSON.parse(text) as { error?: unknown; code?: unknown };
  } catch {
    json = null;
  }
  return { status: response.status, json, text };
}

/**
 * Per table of the current schema: its row count (counted: `n_live_tup` is not reliable on
 * PGlite) and a digest of its rows, so an update is caught as well as an insert or delete. Only
 * `api_tokens.last_used_at` moves on an authenticated request, refused or not.
 */
/** Columns that change without any request: token use, and the heartbeats and lease renewals of runtime workers. */
const VOLATILE_COLUMNS: Record<string, string> = {
  api_tokens: 'last_used_at',
  runtime_workers: 'heartbeat_at',
  session_leases: 'expires_at',
};

async function tableStates(): Promise<Record<string, string>> {
  const { rows: tables } = await server.db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const states = tables
    .map(({ table_name }) => {
      const volatile = VOLATILE_COLUMNS[table_name];
      const row = volatile ? `(to_jsonb(t) - '${volatile}')::text` : 't::text';
      return `SELECT '${table_name}' AS name, count(*) || ' rows ' || coalesce(md5(string_agg(${row}, '|' ORDER BY ${row})), '') AS state FROM "${table_name}" t`;
    })
    .join(' UNION ALL ');
  const { rows } = await server.db.query<{ name: string; state: string }>(states);
  return Object.fromEntries(rows.map((row) => [row.name, row.state]));
}

/** The values of `key` anywhere in `value`, depth first. */
function findKey(value: unknown, key: string): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record[key] === 'string') return record[key];
  for (const child of Object.values(record)) {
    const found = findKey(child, key);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Creates a record through the API (as the admin) and returns the id under `key` in the answer. */
async function create(path: string, body: unknown, key: string): Promise<string> {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method: path.startsWith('/api/settings/') ? 'PUT' : 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as unknown;
  if (!response.ok) throw new Error(`setup ${path} answered ${response.status}: ${JSON.stringify(json)}`);
  const id = findKey(json, key);
  if (id === undefined) throw new Error(`setup ${path}: no ${key} in ${JSON.stringify(json)}`);
  return id;
}

// Real records, one of each kind a mutating route names in its path.
const sessionId = await create('/api/sessions', {}, 'sessionId');
const real: Record<string, string> = {
  sessionId,
  artifactId: await create(`/api/sessions/${sessionId}/artifacts`, { filename: 'a.txt', dataBase64: 'aGk=' }, 'artifactId'),
  workflowId: await create('/api/workflows', { name: 'Sweep', prompt: 'Say hi.', triggers: [{ type: 'manual' }] }, 'workflowId'),
  tagId: await create('/api/threads/tags', { name: 'Sweep' }, 'tagId'),
  filterId: await create('/api/threads/smart-filters', { name: 'Sweep', query: {} }, 'filterId'),
  tokenId: await create('/api/api-tokens', { name: 'sweep', scopes: ['desktop'] }, 'tokenId'),
  agentId: await create('/api/channels/agents', { name: 'Sweep', agentId: 'ag-sweep' }, 'agentId'),
  bindingId: await create(
    '/api/channels/bindings',
    { agentId: 'ag-sweep', provider: 'slack', displayName: 'Sweep', bindingId: 'cb-sweep' },
    'bindingId',
  ),
  deliveryId: await create(
    '/api/channels/deliveries',
    {
      agentId: 'ag-sweep',
      channelBindingId: 'cb-sweep',
      provider: 'slack',
      target: {},
      eventType: 'assistant.message',
      payload: {},
      deliveryId: 'd-sweep',
    },
    'deliveryId',
  ),
  providerId: await create('/api/byok/openai', { apiKey: `sk-${randomBytes(24).toString('hex')}` }, 'providerId'),
  settingKey: await create('/api/settings/theme', { value: { mode: 'dark' } }, 'key'),
  accountId: (await server.app.inject({ method: 'GET', url: '/api/workspace', headers: { authorization: `Bearer ${adminToken}` } })).json<{
    accountId: string;
  }>().accountId,
};

/** The real record a path parameter names, by route. */
function realId(path: string, name: string): string {
  if (name === 'artifactId') return real.artifactId!;
  const rules: [RegExp, string][] = [
    [/^\/api\/sessions\/\{id\}/, 'sessionId'],
    [/^\/api\/workflows\/\{id\}/, 'workflowId'],
    [/^\/api\/threads\/tags\/\{tagId\}/, 'tagId'],
    [/^\/api\/threads\/smart-filters\/\{id\}/, 'filterId'],
    [/^\/api\/api-tokens\/\{id\}/, 'tokenId'],
    [/^\/api\/admin\/members\/\{accountId\}/, 'accountId'],
    [/^\/api\/channels\/agents\/\{id\}/, 'agentId'],
    [/^\/api\/channels\/bindings\/\{id\}/, 'bindingId'],
    [/^\/api\/channels\/deliveries\/\{id\}/, 'deliveryId'],
    [/^\/api\/byok\/\{providerId\}/, 'providerId'],
    [/^\/api\/settings\/\{key\}/, 'settingKey'],
  ];
  const rule = rules.find(([pattern]) => pattern.test(path));
  return rule ? real[rule[1]]! : MISSING;
}

/** The path with real ids, or with ids nothing has (`missing`). */
const fill = (path: string, missing: boolean) =>
  path.replace(/\{(\w+)\}/g, (_whole, name: string) =>
    encodeURIComponent(missing ? `${MISSING}-${name.toLowerCase()}` : realId(path, name)),
  );

/** The JSON types a schema admits (`null` for "anything"). */
function admitted(schema: JsonSchema): Set<string> | null {
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) {
    const all = new Set<string>();
    for (const branch of branches) {
      const types = admitted(branch);
      if (!types) return null;
      types.forEach((type) => all.add(type));
    }
    return all;
  }
  if (schema.type) return new Set([schema.type].flat().map((type) => (type === 'integer' ? 'number' : type)));
  if (schema.enum) return new Set(schema.enum.map((value) => (value === null ? 'null' : typeof value)));
  if (schema.const !== undefined) return new Set([typeof schema.const]);
  return null;
}

/**
 * A value of a type the field does not admit, that Fastify's Ajv (`coerceTypes: 'array'`) cannot
 * coerce into one it does: an object, else a two-item array, else a non-numeric word.
 */
function wrongValue(schema: JsonSchema): unknown {
  const types = admitted(schema);
  if (!types) return undefined;
  if (!types.has('object')) return { wrong: true };
  if (!types.has('array')) return [1, 2];
  if (!types.has('string')) return 'not-a-number';
  return undefined;
}

/** The body of (c): every required field (else every field) replaced by a value of the wrong type. */
function wrongTypes(schema: JsonSchema): Record<string, unknown> | null {
  const properties = schema.properties ?? {};
  const fields = schema.required?.length ? schema.required : Object.keys(properties);
  const body: Record<string, unknown> = {};
  for (const field of fields) {
    const value = wrongValue(properties[field] ?? {});
    if (value !== undefined) body[field] = value;
  }
  return Object.keys(body).length > 0 ? body : null;
}

/**
 * Required body fields that name a record of ours by id (`bindingId`, `channelBindingId`,
 * `sessionIds`…); provider-side ids (`providerEventId`, `externalUserId`) name nothing of ours.
 */
const isReference = (field: string) => /(Id|Ids)$/.test(field) && !/^(provider|external)/.test(field);
const referencesById = (schema: JsonSchema) => (schema.required ?? []).some(isReference);

/** A value the schema accepts, with ids that name nothing (for (e)). */
function sample(schema: JsonSchema, field = ''): unknown {
  if (field === 'dataBase64') return 'aGk=';
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) return sample(branches.find((branch) => branch.type !== 'null') ?? branches[0]!);
  const type = [schema.type].flat()[0];
  switch (type) {
    case 'object': {
      const body: Record<string, unknown> = {};
      for (const field of schema.required ?? []) body[field] = sample(schema.properties?.[field] ?? {}, field);
      return body;
    }
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => sample(schema.items ?? {}));
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 1, 1);
    case 'boolean':
      return false;
    case 'string': {
      if (schema.format === 'date-time') return new Date(Date.now() + 3_600_000).toISOString();
      if (schema.format === 'email') return 'nobody@example.com';
      if (schema.pattern === '^https?://') return 'https://example.com/';
      if (schema.pattern?.startsWith('^[a-z]')) return 'slack';
      if (schema.pattern?.startsWith('^#')) return '#ffffff';
      if (schema.pattern?.startsWith('^[A-Za-z0-9+/]')) return 'aGk=';
      if (schema.pattern?.includes('/[')) return 'text/plain';
      return MISSING.padEnd(schema.minLength ?? 0, 'x');
    }
    default:
      return {};
  }
}

/**
 * Operations for which a missing id is not an error: writes keyed by a
 * caller-chosen name (upserts), and idempotent deletes that answer `{deleted: false}` or
 * `{secret: null, disabled: false}`.
 */
const MISSING_IS_NOT_AN_ERROR = new Set([
  'PUT /api/settings/{key}',
  'POST /api/settings/{key}',
  'PATCH /api/settings/{key}',
  'DELETE /api/settings/{key}',
  'POST /api/byok/{providerId}',
  'DELETE /api/byok/{providerId}',
  'DELETE /api/threads/tags/{tagId}',
  'DELETE /api/threads/smart-filters/{id}',
]);

interface Attempt {
  name: string;
  path: string;
  body: string | undefined;
  /** The exact status when the cause is certain, else any 4xx. */
  status?: number;
  code?: string;
}

function attempts(sweep: Sweep): Attempt[] {
  const { path, schema, bodyLimit } = sweep;
  const withReal = fill(path, false);
  const withMissing = fill(path, true);
  // Without a body schema a route ignores bodies; a body it parses must not act on a real record.
  const bodyTarget = schema ? withReal : withMissing;
  const missingIsAnError = /\{\w+\}/.test(path) && !MISSING_IS_NOT_AN_ERROR.has(`${sweep.method} ${path}`);
  const list: Attempt[] = [{ name: '(a) not JSON', path: withReal, body: '{"not": json', status: 400, code: 'request.invalid_json' }];
  // A route without a body schema ignores a parsed body: then (b) is (e) with a body.
  if (schema || missingIsAnError) {
    list.push({
      name: '(b) a JSON array',
      path: bodyTarget,
      body: '[1, 2, 3]',
      ...(schema ? { status: 400, code: 'request.invalid' } : {}),
    });
  }
  const wrong = schema ? wrongTypes(schema) : null;
  if (wrong)
    list.push({
      name: `(c) wrong types ${JSON.stringify(wrong)}`,
      path: withReal,
      body: JSON.stringify(wrong),
      status: 400,
      code: 'request.invalid',
    });
  list.push({
    name: `(d) ${bodyLimit + 1} bytes`,
    path: withReal,
    body: JSON.stringify({ padding: 'x'.repeat(bodyLimit + 1 - '{"padding":""}'.length) }),
    status: 413,
    code: 'request.body_too_large',
  });
  if (missingIsAnError) {
    list.push({
      name: '(e) ids that name nothing',
      path: withMissing,
      body: schema ? JSON.stringify(sample(schema)) : undefined,
      status: 404,
    });
  } else if (schema && !/\{\w+\}/.test(path) && referencesById(schema)) {
    // No id in the path, but the body names records by id (a binding, an agent, a session…).
    list.push({ name: '(e) body ids that name nothing', path, body: JSON.stringify(sample(schema)), status: 404 });
  }
  if (/\{\w+\}/.test(path)) {
    const sampled = schema ? JSON.stringify(sample(schema)) : undefined;
    list.push({ name: '(f) NUL in the ids', path: path.replace(/\{\w+\}/g, 'x%00y'), body: sampled, status: 400, code: 'request.invalid' });
    list.push({ name: '(g) malformed percent-encoding in the ids', path: path.replace(/\{\w+\}/g, 'x%E0%A4%A'), body: sampled });
  }
  const withNul = schema ? nulBody(schema) : null;
  if (withNul) list.push({ name: `(h) NUL in a string ${withNul}`, path: withReal, body: withNul, status: 400, code: 'request.invalid' });
  return list;
}

/** A body the schema accepts but for U+0000 in one free-text string field (PostgreSQL stores none). */
function nulBody(schema: JsonSchema): string | null {
  const body = sample(schema) as Record<string, unknown>;
  const free = Object.entries(schema.properties ?? {}).find(
    ([, field]) => admitted(field)?.has('string') && !field.enum && !field.format && !field.anyOf?.some((branch) => branch.enum),
  );
  if (!free) return null;
  body[free[0]] = 'a\u0000b';
  return JSON.stringify(body);
}

afterAll(() => server.close());

describe('every mutating /api/ operation refuses bad input with a coded 4xx and writes nothing', () => {
  it('sweeps the whole document', () => {
    expect(sweeps.length).toBeGreaterThan(50);
    const names = sweeps.flatMap((sweep) => attempts(sweep).map((attempt) => attempt.name.slice(0, 3)));
    const count = (letter: string) => names.filter((name) => name === `(${letter})`).length;
    expect(count('a')).toBe(sweeps.length);
    expect(count('d')).toBe(sweeps.length);
    expect(count('b')).toBeGreaterThan(45);
    expect(count('c')).toBeGreaterThan(35);
    expect(count('e')).toBeGreaterThan(30);
    expect(count('f')).toBeGreaterThan(30);
    expect(count('h')).toBeGreaterThan(35);
  });

  it.each(sweeps.map((sweep) => [`${sweep.method} ${sweep.path}`, sweep] as const))('%s', async (_title, sweep) => {
    for (const attempt of attempts(sweep)) {
      const label = `${sweep.method} ${attempt.path} ${attempt.name}`;
      const before = await tableStates();
      const answer = await send(sweep, attempt.path, attempt.body);
      expect(answer.status, `${label}: ${answer.text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
      expect(answer.status, `${label}: ${answer.text.slice(0, 300)}`).toBeLessThan(500);
      expect(typeof answer.json?.error, `${label}: ${answer.text.slice(0, 300)}`).toBe('string');
      expect(typeof answer.json?.code, `${label}: ${answer.text.slice(0, 300)}`).toBe('string');
      if (attempt.status !== undefined) {
        expect(
          { status: answer.status, code: attempt.code === undefined ? undefined : answer.json?.code },
          `${label}: ${answer.text.slice(0, 300)}`,
        ).toEqual({
          status: attempt.status,
          code: attempt.code,
        });
      }
      expect(await tableStates(), `${label} wrote to the store`).toEqual(before);
    }
  });

  it('refuses a signed webhook whose payload holds a NUL character, with 400 and nothing written', async () => {
    const created = await fetch(`${server.baseUrl}/api/workflows`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Hooked', prompt: 'Triage.', triggers: [{ type: 'webhook' }] }),
    });
    const { webhookSecretReveal: reveal } = (await created.json()) as { webhookSecretReveal: { workflowId: string; secret: string } };
    const body = '{"issue":"a\\u0000b"}';
    const timestamp = String(Math.floor(Date.now() / 1000));
    const before = await tableStates();
    const response = await fetch(`${server.baseUrl}/webhooks/workflows/${encodeURIComponent(reveal.workflowId)}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-open-cowork-timestamp': timestamp,
        'x-open-cowork-signature': signWebhook(reveal.secret, timestamp, body),
      },
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    expect({ status: response.status, body: await response.json() }).toEqual({
      status: 400,
      body: { error: expect.any(String), code: 'request.invalid' },
    });
    expect(await tableStates()).toEqual(before);
  });
});
