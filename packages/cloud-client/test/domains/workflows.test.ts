import { describe, expect, it } from 'vitest';
import { CASE_TITLE, INVALID_TITLE, runCase, runInvalid, setup, type InvalidCall } from '../helpers/domain-cases.js';
import { workflowsCases, draft } from '@open-cowork/test-support/cases/workflows';

const invalidCalls: InvalidCall[] = [
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

describe('workflows domain', () => {
  it.each(workflowsCases)(CASE_TITLE, runCase);

  it.each(invalidCalls)(INVALID_TITLE, runInvalid);

  it('a 404 from pauseWorkflow surfaces as kind not_found, never as null', async () => {
    const { fetch, call } = setup();
    fetch.respond({ status: 404, body: { error: 'Workflow was not found.', code: 'workflow.not_found' } });
    await expect(call('pauseWorkflow', ['gone'])).rejects.toMatchObject({ kind: 'not_found' });
  });
});
