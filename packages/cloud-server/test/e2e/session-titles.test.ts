import type { CloudSessionEvent, CloudSessionProjectionView } from '@open-cowork/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { titleFromPrompt } from '../../src/services/sessions.js';
import { engines } from '@open-cowork/test-support/db';
import { failure, type Harness, hasType, mintClient, record, startHarness } from './harness.js';

const viewTitle = (projection: { view: Record<string, unknown> } | null) =>
  (projection?.view as unknown as CloudSessionProjectionView | undefined)?.title;

describe('titleFromPrompt', () => {
  it('takes the first non-blank line, collapses its spaces and cuts it at 80 characters', () => {
    expect(titleFromPrompt('\n  \n  Fix   the\tlogin bug  \nand then the rest')).toBe('Fix the login bug');
    expect(titleFromPrompt(' \n\t ')).toBeNull();
    const long = titleFromPrompt(`${'word '.repeat(30)}`)!;
    expect(Array.from(long)).toHaveLength(80);
    expect(long.endsWith('…')).toBe(true);
    // Cut between characters, never inside a surrogate pair.
    expect(titleFromPrompt('😀'.repeat(100))).toBe(`${'😀'.repeat(79)}…`);
  });
});

describe.each(engines)('session titles, rename and close over real HTTP (%s)', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ engine });
  });
  afterAll(() => h.server.close());

  it('names an untitled session after its first prompt, for every client, and keeps that name', async () => {
    const { session } = await h.client.createSession();
    const answer = await h.client.promptSession(session.sessionId, { text: '  Draft the release notes\nfor version 2' });
    expect(answer.view.session.title).toBe('Draft the release notes');
    expect(viewTitle(answer.view.projection)).toBe('Draft the release notes');

    const recording = record<CloudSessionEvent>((handlers) => h.client.subscribeSessionEvents(session.sessionId, handlers));
    await recording.until(hasType('session.idle'));
    recording.close();
    await h.client.promptSession(session.sessionId, { text: 'Something else entirely' });
    const listed = (await h.client.listSessions()).find((s) => s.sessionId === session.sessionId);
    expect(listed?.title).toBe('Draft the release notes');
    expect(viewTitle((await h.client.getSession(session.sessionId)).projection)).toBe('Draft the release notes');
  });

  it('finds sessions by title through q, case-insensitively, paging with a cursor scoped to the search', async () => {
    const client = await mintClient(h.server, ['desktop'], { email: `search-${engine}@example.com` });
    const titles = ['Budget review', 'Plan the budget 100%', 'Unrelated chat'];
    // Renamed rather than prompted: a running turn moves its session in the listing between pages.
    for (const title of titles) await client.renameSession((await client.createSession()).session.sessionId, title);
    const first = await client.listSessionsPage({ q: 'BUDGET', limit: 1 });
    const second = await client.listSessionsPage({ q: 'BUDGET', limit: 1, cursor: first.nextCursor });
    expect([...first.sessions, ...second.sessions].map((s) => s.title).sort()).toEqual(['Budget review', 'Plan the budget 100%']);
    expect(second.nextCursor).toBeNull();
    // LIKE wildcards in the search are literal.
    expect((await client.listSessionsPage({ q: '100%' })).sessions.map((s) => s.title)).toEqual(['Plan the budget 100%']);
    expect((await client.listSessionsPage({ q: 'b_dget' })).sessions).toEqual([]);
  });

  it('renames a session: the record and the view carry the new title, later prompts keep it', async () => {
    const { session } = await h.client.createSession();
    const renamed = await h.client.renameSession(session.sessionId, '  Quarterly report  ');
    expect(renamed.session.title).toBe('Quarterly report');
    expect(viewTitle(renamed.projection)).toBe('Quarterly report');
    const answer = await h.client.promptSession(session.sessionId, { text: 'First prompt after the rename' });
    expect(answer.view.session.title).toBe('Quarterly report');
    expect((await h.client.listSessionsPage({ q: 'quarterly' })).sessions.map((s) => s.sessionId)).toEqual([session.sessionId]);

    // The client refuses a blank title before sending; the server refuses it too.
    const blank = await fetch(`${h.server.baseUrl}/api/sessions/${session.sessionId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: ' \t ' }),
    });
    expect(blank.status).toBe(400);
    expect(await blank.json()).toMatchObject({ code: 'request.invalid' });
    const stranger = await mintClient(h.server, ['desktop'], { email: `stranger-${engine}@example.com` });
    expect(await failure(stranger.renameSession(session.sessionId, 'Mine now'))).toMatchObject({
      kind: 'not_found',
      code: 'sessions.not_found',
    });
  });

  it('closes an idle session: it stays readable and listed as closed, and refuses commands', async () => {
    const { session } = await h.client.createSession();
    await h.client.promptSession(session.sessionId, { text: 'Hello' });
    const recording = record<CloudSessionEvent>((handlers) => h.client.subscribeSessionEvents(session.sessionId, handlers));
    await recording.until(hasType('session.idle'));
    recording.close();

    const closed = await h.client.closeSession(session.sessionId);
    expect(closed.session.status).toBe('closed');
    expect((closed.projection?.view as unknown as CloudSessionProjectionView | undefined)?.status).toBe('closed');
    expect((await h.client.listSessionsPage({ status: 'closed' })).sessions.map((s) => s.sessionId)).toContain(session.sessionId);
    expect(await failure(h.client.promptSession(session.sessionId, { text: 'Again' }))).toMatchObject({
      status: 409,
      code: 'sessions.closed',
    });
    // Closing twice is harmless; the title can still be changed.
    expect((await h.client.closeSession(session.sessionId)).session.status).toBe('closed');
    expect((await h.client.renameSession(session.sessionId, 'Archived')).session).toMatchObject({ status: 'closed', title: 'Archived' });
  });

  it('refuses to close a session while a turn runs, and closes it once aborted', async () => {
    const { session } = await h.client.createSession();
    const recording = record<CloudSessionEvent>((handlers) => h.client.subscribeSessionEvents(session.sessionId, handlers));
    await h.client.promptSession(session.sessionId, { text: 'Talk [stream:400]' });
    await recording.until(hasType('assistant.message'));
    expect(await failure(h.client.closeSession(session.sessionId))).toMatchObject({ status: 409, code: 'sessions.busy' });
    await h.client.abortSession(session.sessionId);
    await recording.until(hasType('session.aborted'));
    recording.close();
    expect((await h.client.closeSession(session.sessionId)).session.status).toBe('closed');
  });
});
