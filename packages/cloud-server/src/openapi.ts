import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Type } from '@sinclair/typebox';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { SESSION_COOKIE } from './auth/cookie.js';
import { OPERATIONS, type OperationFacts, TAGS } from './openapi-operations.js';
import { API_REFERENCE_PATH, OPENAPI_DOCUMENT_PATH } from './openapi-paths.js';
import { STREAM_SCHEMAS, STREAMS, type StreamName } from './openapi-streams.js';

/** The error body every failure answers with (`errors.ts`), documented once as a component. */
const ErrorBodySchema = Type.Object(
  {
    error: Type.String({ description: 'A public, human-readable message.' }),
    code: Type.String({ description: 'A stable machine code, e.g. `request.invalid`.' }),
    retryAfterMs: Type.Optional(Type.Integer({ minimum: 0, description: 'Also sent as a `Retry-After` header.' })),
    verdict: Type.Optional(
      Type.Object(
        { allowed: Type.Literal(false), reason: Type.String(), policyCode: Type.String() },
        { description: 'On 403 policy denials, for old clients: `policyCode` equals `code`.' },
      ),
    ),
  },
  { additionalProperties: true },
);

const ERROR_REF = { $ref: '#/components/schemas/ErrorBody' };
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ERROR_REF } } });
const IDEMPOTENCY_KEY_REF = { $ref: '#/components/parameters/IdempotencyKey' };
const IDEMPOTENCY_KEY_PARAMETER = {
  name: 'Idempotency-Key',
  in: 'header' as const,
  required: false,
  description:
    'Replays the first 2xx answer of the same request under this key (24 h); another request under the key ' +
    'answers 409 `idempotency.key_reused`, a concurrent duplicate 409 `idempotency.in_progress`.',
  schema: { type: 'string' as const, minLength: 1, maxLength: 255 },
};
const LAST_EVENT_ID_REF = { $ref: '#/components/parameters/LastEventId' };
const LAST_EVENT_ID_PARAMETER = {
  name: 'Last-Event-ID',
  in: 'header' as const,
  required: false,
  description:
    'Resume after this sequence, as a browser’s EventSource sends it on reconnect. The stream resumes after the larger ' +
    'of this and `after`.',
  schema: { type: 'string' as const, pattern: '^[0-9]+$' },
};
const AFTER_DESCRIPTION =
  'Resume after this sequence: the highest `sequence` the caller has processed (the client’s `afterSequence` option). ' +
  'Events with a larger sequence are replayed, then live ones follow; a cursor older than the retained events gets ' +
  '`snapshot.required`. Non-integers count as 0.';
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

interface Parameter {
  name?: string;
  in?: string;
  description?: string;
  $ref?: string;
}

interface Operation {
  operationId?: string;
  tags?: string[];
  summary?: string;
  parameters?: Parameter[];
  responses?: Record<string, unknown>;
  security?: unknown[];
  'x-access'?: string;
  'x-body-limit'?: number;
  'x-client'?: false;
  'x-client-methods'?: string[];
}

/** What the document says of a route beyond its schemas: its access rule and body cap. */
interface RouteFacts {
  access: string;
  bodyLimit?: number;
}

/** An SSE operation's 200: `text/event-stream`, one message schema; resumable streams take `Last-Event-ID`. */
function describeStream(operation: Operation, name: StreamName) {
  const stream = STREAMS[name];
  operation.responses!['200'] = {
    description:
      'A `text/event-stream` that stays open: a `: connected` comment and a `retry:` hint, then one message per event ' +
      '(the schema is one message) and `: keep-alive` comments. Refusals come before the stream, as JSON errors.',
    content: { 'text/event-stream': { schema: { $ref: `#/components/schemas/${stream.message}` } } },
  };
  if (!stream.resumable) return;
  for (const parameter of operation.parameters ?? []) {
    if (parameter.in === 'query' && parameter.name === 'after') parameter.description = AFTER_DESCRIPTION;
  }
  operation.parameters = [...(operation.parameters ?? []), LAST_EVENT_ID_REF];
}

/** What @fastify/swagger says of a route without a response schema. */
const DEFAULT_RESPONSE = 'Default Response';

/** Its id, tag and summary from the operation table, and which client methods call it. */
function describeOperation(operation: Operation, facts: OperationFacts) {
  const [tag, method] = facts.id.split('.') as [string, string];
  operation.operationId = facts.id;
  operation.tags = [tag];
  operation.summary = facts.summary;
  if (facts.client) operation['x-client-methods'] = [method, ...(facts.also ?? [])];
  else operation['x-client'] = false;
  if (facts.stream) describeStream(operation, facts.stream);
  if (facts.responses) {
    const responses = operation.responses!;
    if ((responses['200'] as { description?: string } | undefined)?.description === DEFAULT_RESPONSE) delete responses['200'];
    Object.assign(responses, facts.responses);
  }
}

/**
 * Completes the generated document. Routes declare their schemas; this adds what the operation
 * table (`openapi-operations.ts`) says of each operation and the SSE responses, and every 4xx/5xx
 * answer as an `ErrorBody`, once, after generation (the route schemas stay as Fastify compiles
 * them). Each operation carries its access rule as `x-access` (public ones an empty `security`
 * requirement) and, when it takes a body, its size cap in bytes as `x-body-limit`. Authenticated
 * mutating `/api/` operations take the optional `Idempotency-Key` header.
 */
function completeDocument(document: { paths?: Record<string, Record<string, Operation>> }, facts: Map<string, RouteFacts>) {
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      operation.responses ??= {};
      const key = `${method.toUpperCase()} ${path}`;
      const described = OPERATIONS[key];
      if (described) describeOperation(operation, described);
      const responses = operation.responses;
      for (const status of Object.keys(responses)) {
        if (/^[45]/.test(status)) responses[status] = errorResponse((responses[status] as { description?: string }).description ?? 'Error');
      }
      responses['4XX'] ??= errorResponse('A refused request: `{error, code}`.');
      responses['5XX'] ??= errorResponse('A server failure: `{error, code}`.');
      const route = facts.get(key);
      if (!route) continue;
      operation['x-access'] = route.access;
      if (route.access === 'public') operation.security = [];
      if (route.bodyLimit !== undefined) operation['x-body-limit'] = route.bodyLimit;
      if (BODY_METHODS.has(method.toUpperCase()) && path.startsWith('/api/') && route.access !== 'public') {
        operation.parameters = [...(operation.parameters ?? []), IDEMPOTENCY_KEY_REF];
      }
    }
  }
  return document;
}

/** `/api/sessions/:id` → `/api/sessions/{id}` and `/assets/*` → `/assets/{*}`, as @fastify/swagger writes paths. */
export const openapiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}').replace(/\*$/, '{*}');

/**
 * The reference page loads only Swagger UI's files from this server (no CDN: it works offline) and
 * fetches only the document. Swagger UI sets inline styles on its elements, hence `'unsafe-inline'`
 * for styles only; no inline script runs.
 */
const REFERENCE_POLICY = [
  "default-src 'self'",
  "img-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Swagger UI at `/docs`, rendering this document. Its routes are its own (hidden from the
 * document), so they are made public here, before the auth plugin checks that every route has
 * a rule: the page and its files are no more secret than the document itself.
 */
async function referencePage(app: FastifyInstance) {
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, access: 'public' };
  });
  await app.register(swaggerUi, {
    routePrefix: API_REFERENCE_PATH,
    staticCSP: REFERENCE_POLICY,
    theme: { title: 'Open Cowork Cloud API reference' },
    uiConfig: { deepLinking: true, docExpansion: 'list', defaultModelsExpandDepth: 0 },
  });
}

/**
 * The OpenAPI 3.1 document at `GET /api/openapi.json`, generated by @fastify/swagger from the
 * TypeBox schemas the routes validate with, and the page that renders it at `/docs`. Registered
 * before the route plugins so that its `onRoute` hook sees every route (routes without schemas
 * appear too, with a default response; only Fastify's automatic HEAD twins of GET routes are left
 * out).
 */
async function openapiPlugin(app: FastifyInstance) {
  const facts = new Map<string, RouteFacts>();
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      const takesBody = BODY_METHODS.has(method);
      facts.set(`${method} ${openapiPath(route.url)}`, {
        access: route.config?.access ?? 'operator',
        ...(takesBody ? { bodyLimit: route.bodyLimit ?? app.initialConfig.bodyLimit } : {}),
      });
    }
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Open Cowork Cloud',
        version: '1',
        description:
          'The HTTP + SSE wire contract of Open Cowork Cloud. Every error answers `ErrorBody`; ' +
          'SSE routes answer `text/event-stream` (`id: <sequence>`, `event: <type>`, one `data:` JSON line). ' +
          'An `operationId` is `<domain>.<method>`: the `@open-cowork/cloud-client` domain and method that call the ' +
          'operation (`x-client-methods` lists every method that does); `x-client: false` marks operations no client ' +
          'method calls.',
      },
      // Relative: the document describes the server that serves it, whatever its address.
      servers: [{ url: '/', description: 'The server that serves this document' }],
      tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
      components: {
        schemas: { ErrorBody: ErrorBodySchema, ...STREAM_SCHEMAS } as unknown as Record<string, Record<string, unknown>>,
        parameters: { IdempotencyKey: IDEMPOTENCY_KEY_PARAMETER, LastEventId: LAST_EVENT_ID_PARAMETER },
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'OIDC access token, API token or operator token.' },
          cookie: {
            type: 'apiKey',
            in: 'cookie',
            name: SESSION_COOKIE,
            description: 'Cloud Web session; unsafe methods also need `x-csrf-token`.',
          },
        },
      },
      security: [{ bearer: [] }, { cookie: [] }],
    },
    transformObject: (document) => completeDocument(('openapiObject' in document ? document.openapiObject : {}) as never, facts) as never,
  });

  app.get(OPENAPI_DOCUMENT_PATH, { config: { access: 'public' } }, async () => app.swagger());
  await app.register(referencePage);
}

export const openapi = fp(openapiPlugin, { name: 'openapi' });
