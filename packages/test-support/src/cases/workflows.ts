/** The workflows domain's calls as data, shared by the client's unit test and the server's OpenAPI test. */
import { get, post, type DomainCase } from './exchange.js';

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
export const draft = {
  name: 'Daily digest',
  prompt: 'Summarise yesterday.',
  triggers: [{ type: 'schedule', cron: '0 9 * * *' }, { type: 'webhook' }],
};

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
