import { describe, expect, it } from 'vitest';
import { CASE_TITLE, INVALID_TITLE, runCase, runInvalid, setup, type InvalidCall } from '../helpers/domain-cases.js';
import { sessionsCases, session } from '@open-cowork/test-support/cases/sessions';

const invalidCalls: InvalidCall[] = [
  { method: 'listSessionsPage', args: [{ limit: 0 }] },
  { method: 'listSessionsPage', args: [{ status: 'sleeping' }] },
  { method: 'listSessionsPage', args: ['recent'] },
  { method: 'listSessionsPage', args: [{ cursor: { page: 2 } }] },
  { method: 'listSessionsPage', args: [{ q: 7 }] },
  { method: 'listSessions', args: [{ limit: 1.5 }] },
  { method: 'iterateSessions', args: [{ status: 'nope' }] },
  { method: 'createSession', args: ['default'] },
  { method: 'createSession', args: [{ projectSource: { kind: 'svn' } }] },
  { method: 'validateProjectSource', args: [null] },
  { method: 'uploadProjectSnapshot', args: [{ title: 'no files' }] },
  { method: 'importSession', args: [[]] },
  { method: 'getSession', args: [''] },
  { method: 'getSession', args: [42] },
  { method: 'promptSession', args: ['s1', { text: '' }] },
  { method: 'promptSession', args: ['s1', { text: '  \n ' }] },
  { method: 'promptSession', args: ['s1', { text: 'hi', agent: '' }] },
  { method: 'promptSession', args: ['s1', null] },
  { method: 'promptSession', args: ['', { text: 'hi' }] },
  { method: 'promptSession', args: ['s1', { text: 'hi' }, { idempotencyKey: '' }] },
  { method: 'abortSession', args: [undefined] },
  { method: 'renameSession', args: ['s1', '  '] },
  { method: 'renameSession', args: ['s1', undefined] },
  { method: 'renameSession', args: ['', 'Title'] },
  { method: 'closeSession', args: [''] },
  { method: 'replyToQuestion', args: ['s1', { requestId: 'q1', answers: 'yes' }] },
  { method: 'replyToQuestion', args: ['s1', { answers: [] }] },
  { method: 'rejectQuestion', args: ['s1', {}] },
  { method: 'respondToPermission', args: ['s1', { permissionId: 'p1' }] },
  { method: 'respondToPermission', args: ['s1', { response: true }] },
];

describe('sessions domain', () => {
  it.each(sessionsCases)(CASE_TITLE, runCase);

  it.each(invalidCalls)(INVALID_TITLE, runInvalid);

  it('iterateSessions fetches nothing until pulled and stops when the loop breaks', async () => {
    const { fetch, cloud } = setup();
    fetch.respond({ body: { sessions: [session('s1'), session('s2')], nextCursor: 'more', totalEstimate: 3 } });
    const sessions = cloud.iterateSessions({ limit: 2 });
    expect(fetch.requests).toHaveLength(0);
    for await (const item of sessions) {
      expect(item.sessionId).toBe('s1');
      break;
    }
    expect(fetch.requests).toHaveLength(1);
  });

  it('a 404 from getSession surfaces as kind not_found, never as null', async () => {
    const { fetch, call } = setup();
    fetch.respond({ status: 404, body: { error: 'Cloud session was not found.', code: 'sessions.not_found' } });
    await expect(call('getSession', ['gone'])).rejects.toMatchObject({ kind: 'not_found', code: 'sessions.not_found' });
  });
});
