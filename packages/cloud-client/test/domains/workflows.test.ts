import { describe, expect, it } from 'vitest';
import { createHttpSseCloudTransportAdapter, type CloudFetch } from '../../src/adapter.js';
import { createFakeFetch } from '../helpers/fake-fetch.js';
// Type-only: the case shapes are shared, the tests of sessions.test.ts are not re-registered.
import type { DomainCase, Exchange } from './sessions.test.js';
const at = '2026-08-01T00:00:00.000Z';
const summary = {
  tenantId: 't1',
  userId: 'u1',
  workflowId: 'w1',
  name: 'Daily digest',
  description: null,
  status: 'active',
  profileName: 'default',
  triggerTypes: ['schedule'],
  lastRunAt: null,
  nextRunAt: at,
  createdAt: at,
  updatedAt: at,
};
const trigger = {
  triggerId: 'tr1',
  type: 'schedule',
  cron: '0 9 * * *',
  nextRunAt: at,
  webhookSecretConfigured: false,
  createdAt: at,
  updatedAt: at,
};
const detail = { ...summary, prompt: 'Summarise yesterday.', triggers: [trigger] };
const run = {
  runId: 'r1',
  workflowId: 'w1',
  tenantId: 't1',
  sessionId: 's1',
  triggerType: 'manual',
  triggerPayload: null,
  status: 'queued',
  error: null,
  createdAt: at,
  startedAt: null,
  finishedAt: null,
  updatedAt: at,
};
const page = (workflows: unknown[], nextCursor: string | null) => ({ workflows, runs: [run], nextCursor, totalEstimate: 1 });
const reveal = { workflowId: 'w1', triggerId: 'tr2', secret: 'whsec_1' };
const runResponse = { tenantId: 't1', sessionId: 's1', command: { commandId: 'c1' }, workflow: detail, run, processed: 0 };
const paused = { ...detail, status: 'paused' };
const draft = {
  name: 'Daily digest',
  prompt: 'Summarise yesterday.',
  triggers: [{ type: 'schedule', cron: '0 9 * * *' }, { type: 'webhook' }],
};

const get = (path: string, body: unknown): Exchange => ({ request: { method: 'GET', path }, response: { body } });
const post = (path: string, body: unknown, answer: unknown, idempotencyKey?: string, status = 200): Exchange => ({
  request: { method: 'POST', path, body, idempotencyKey },
  response: { status, body: answer },
});

export const workflowsCases: DomainCase[] = [
  { method: 'listWorkflows', args: [], exchanges: [get('/api/workflows', page([summary], null))], result: page([summary], null) },
  {
    method: 'listWorkflows',
    args: [{ limit: 5, cursor: 'cur' }],
    exchanges: [get('/api/workflows?limit=5&cursor=cur', page([], null))],
    result: page([], null),
  },
  {
    method: 'iterateWorkflows',
    args: [{ limit: 1 }],
    exchanges: [
      get('/api/workflows?limit=1', page([summary], 'n2')),
      get('/api/workflows?limit=1&cursor=n2', page([{ ...summary, workflowId: 'w2' }], null)),
    ],
    result: [summary, { ...summary, workflowId: 'w2' }],
  },
  { method: 'getWorkflow', args: ['w1'], exchanges: [get('/api/workflows/w1', { workflow: detail })], result: detail },
  {
    method: 'getWorkflow',
    args: ['a/b?c#d'],
    exchanges: [get('/api/workflows/a%2Fb%3Fc%23d', { workflow: detail })],
    result: detail,
  },
  {
    method: 'createWorkflow',
    args: [draft, { idempotencyKey: 'k-1' }],
    exchanges: [post('/api/workflows', draft, { workflow: detail, webhookSecretReveal: reveal }, 'k-1', 201)],
    result: { workflow: detail, webhookSecretReveal: reveal },
  },
  {
    method: 'createWorkflow',
    args: [{ name: 'N', description: 'D', prompt: 'P', profileName: 'p', triggers: [{ type: 'manual' }] }],
    exchanges: [
      post(
        '/api/workflows',
        { name: 'N', description: 'D', prompt: 'P', profileName: 'p', triggers: [{ type: 'manual' }] },
        { workflow: detail, webhookSecretReveal: null },
        undefined,
        201,
      ),
    ],
    result: { workflow: detail, webhookSecretReveal: null },
  },
  {
    method: 'runWorkflow',
    args: ['w1'],
    exchanges: [post('/api/workflows/w1/run', {}, runResponse, undefined, 202)],
    result: run,
  },
  {
    method: 'runWorkflow',
    args: ['a/b?c#d', { triggerType: 'webhook', triggerPayload: { ref: 'main' } }, { idempotencyKey: 'k-2' }],
    exchanges: [
      post('/api/workflows/a%2Fb%3Fc%23d/run', { triggerType: 'webhook', triggerPayload: { ref: 'main' } }, runResponse, 'k-2', 202),
    ],
    result: run,
  },
  {
    method: 'pauseWorkflow',
    args: ['w1', { idempotencyKey: 'k-3' }],
    exchanges: [post('/api/workflows/w1/pause', {}, { workflow: paused }, 'k-3')],
    result: paused,
  },
  {
    method: 'resumeWorkflow',
    args: ['w1'],
    exchanges: [post('/api/workflows/w1/resume', {}, { workflow: detail })],
    result: detail,
  },
  {
    method: 'archiveWorkflow',
    args: ['a/b?c#d'],
    exchanges: [post('/api/workflows/a%2Fb%3Fc%23d/archive', {}, { workflow: { ...detail, status: 'archived' } })],
    result: { ...detail, status: 'archived' },
  },
  {
    method: 'rotateWorkflowWebhookSecret',
    args: ['w1'],
    exchanges: [post('/api/workflows/w1/rotate-webhook-secret', {}, { workflow: detail, webhookSecretReveal: reveal })],
    result: { workflow: detail, webhookSecretReveal: reveal },
  },
];

const invalidCalls: { method: string; args: unknown[] }[] = [
  { method: 'listWorkflows', args: [{ limit: 0 }] },
  { method: 'listWorkflows', args: [7] },
  { method: 'listWorkflows', args: [{ cursor: 1 }] },
  { method: 'iterateWorkflows', args: [{ limit: -2 }] },
  { method: 'getWorkflow', args: [''] },
  { method: 'createWorkflow', args: [null] },
  { method: 'createWorkflow', args: [{ ...draft, name: ' ' }] },
  { method: 'createWorkflow', args: [{ ...draft, prompt: '' }] },
  { method: 'createWorkflow', args: [{ ...draft, triggers: [] }] },
  { method: 'createWorkflow', args: [{ ...draft, triggers: [{ type: 'email' }] }] },
  { method: 'createWorkflow', args: [{ ...draft, triggers: [{ type: 'schedule' }] }] },
  { method: 'runWorkflow', args: ['', {}] },
  { method: 'runWorkflow', args: ['w1', { triggerType: 'cron' }] },
  { method: 'runWorkflow', args: ['w1', { triggerPayload: 'x' }] },
  { method: 'runWorkflow', args: ['w1', 'manual'] },
  { method: 'pauseWorkflow', args: [null] },
  { method: 'resumeWorkflow', args: [''] },
  { method: 'archiveWorkflow', args: [{}] },
  { method: 'rotateWorkflowWebhookSecret', args: [' '] },
];

function setup() {
  const fetch = createFakeFetch();
  const cloud = createHttpSseCloudTransportAdapter({ baseUrl: 'https://cloud.test', fetch: fetch as unknown as CloudFetch });
  const call = async (method: string, args: unknown[]) => {
    const value = (cloud as unknown as Record<string, (...args: unknown[]) => unknown>)[method]!(...args);
    if (typeof value !== 'object' || value === null || !(Symbol.asyncIterator in value)) return value;
    const items: unknown[] = [];
    for await (const item of value as AsyncIterable<unknown>) items.push(item);
    return items;
  };
  return { fetch, cloud, call };
}

async function runCase(c: DomainCase) {
  const { fetch, call } = setup();
  for (const exchange of c.exchanges) fetch.respond(exchange.response);
  await expect(call(c.method, c.args)).resolves.toEqual(c.result);
  expect(fetch.requests).toHaveLength(c.exchanges.length);
  c.exchanges.forEach(({ request }, index) => {
    const sent = fetch.requests[index]!;
    expect(sent.method).toBe(request.method);
    expect(sent.url).toBe(`https://cloud.test${request.path}`);
    expect(sent.headers['content-type']).toBe(request.body === undefined ? undefined : 'application/json');
    expect(sent.headers['idempotency-key']).toBe(request.idempotencyKey);
    expect(sent.json).toEqual(request.body);
  });
}

async function runInvalid({ method, args }: { method: string; args: unknown[] }) {
  const { fetch, call } = setup();
  await expect(call(method, args)).rejects.toMatchObject({ name: 'CloudTransportError', kind: 'request' });
  expect(fetch.requests).toHaveLength(0);
}

describe('workflows domain', () => {
  it.each(workflowsCases)('$method $exchanges.0.request.method $exchanges.0.request.path', runCase);

  it.each(invalidCalls)('$method rejects $args with kind request before any I/O', runInvalid);

  it('a 404 from pauseWorkflow surfaces as kind not_found, never as null', async () => {
    const { fetch, call } = setup();
    fetch.respond({ status: 404, body: { error: 'Workflow was not found.', code: 'workflow.not_found' } });
    await expect(call('pauseWorkflow', ['gone'])).rejects.toMatchObject({ kind: 'not_found' });
  });
});
