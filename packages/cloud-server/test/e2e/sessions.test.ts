import { randomUUID } from 'node:crypto';
import type { CloudSessionEvent, CloudSessionProjectionView, SessionImportRequest } from '@open-cowork/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '@open-cowork/test-support/db';
import { clientFor, failure, type Harness, hasType, mintClient, record, startHarness } from './harness.js';

const viewOf = (projection: { view: Record<string, unknown> } | null) => projection?.view as unknown as CloudSessionProjectionView;

describe.each(engines)('sessions and config over real HTTP (%s)', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ engine });
  });
  afterAll(() => h.server.close());

  /** Creates a session, prompts it and returns the session's events up to `until`. */
  async function promptAndWatch(text: string, until: (events: CloudSessionEvent[]) => boolean) {
    const { session } = await h.client.createSession();
    const recording = record<CloudSessionEvent>((handlers) => h.client.subscribeSessionEvents(session.sessionId, handlers));
    const response = await h.client.promptSession(session.sessionId, { text });
    await recording.until(until);
    return { sessionId: session.sessionId, response, recording };
  }

  it('serves the config, workspace overview and runtime status of the caller', async () => {
    const config = await h.client.getConfig();
    expect(config).toMatchObject({ role: 'owner', profileName: 'default', allowedAgents: null, publicBranding: null });
    expect(config.features.cloudSessions).toBe(true);
    const workspace = await h.client.getWorkspace();
    expect(workspace).toMatchObject({ role: 'owner', email: h.server.config.ownerEmail, orgName: 'Local Cloud', profileName: 'default' });
    expect(workspace.orgId).toBe(workspace.tenantId);
    expect(workspace.policy).toMatchObject({ localFiles: 'disabled', localStdioMcps: 'disabled', machineRuntimeConfig: 'disabled' });
    // This process runs the API and a runtime worker: the worker, its leases and the queue are shown.
    const status = (await h.client.getRuntimeStatus()) as Awaited<ReturnType<typeof h.client.getRuntimeStatus>> & Record<string, unknown>;
    expect(status).toMatchObject({ canExecute: true, commandProcessing: 'durable', checkpoints: false, runtime: { name: 'scripted' } });
    expect(status).toMatchObject({
      process: { role: 'all', workerId: expect.stringMatching(/^wrk_/) },
      leasesHeld: 0,
      queue: { pending: 0, running: 0 },
    });
    const { workerId } = status.process as { workerId: string };
    expect(status.workers).toMatchObject([{ workerId, leases: 0 }]);
    expect(status.heartbeats).toMatchObject([{ workerId }]);
  });

  it('creates a session with its first event projected, and reads it back', async () => {
    const created = await h.client.createSession({ profileName: 'research' });
    expect(created.session).toMatchObject({ profileName: 'research', status: 'idle', title: null, opencodeSessionId: null });
    expect(created.session.sessionId).toMatch(/^ses_/);
    expect(created.projection?.sequence).toBe(1);
    expect(await h.client.getSession(created.session.sessionId)).toEqual(created);
    // The server-only view route adds the normalised projection view.
    const response = await fetch(`${h.server.baseUrl}/api/sessions/${created.session.sessionId}/view`, {
      headers: { authorization: `Bearer ${h.token}` },
    });
    expect(await response.json()).toMatchObject({
      ...created,
      view: { sessionId: created.session.sessionId, profileName: 'research', sequence: 1, messages: [] },
    });
  });

  it('prompts a session: 202 with the command queued and no fence, then a worker runs the scripted turn to idle', async () => {
    const { sessionId, response, recording } = await promptAndWatch('Summarise the plan', hasType('session.idle'));
    expect(response.processed).toBe(0);
    expect(response.command).toMatchObject({
      kind: 'prompt',
      status: 'pending',
      sessionId,
      attemptCount: 0,
      payload: { text: 'Summarise the plan' },
    });
    expect(response.projectionFence).toBeNull();
    expect(response.view.projection?.sequence).toBe(2);
    expect(viewOf(response.view.projection).messages).toMatchObject([{ role: 'user', content: 'Summarise the plan' }]);

    const types = recording.events.map((event) => event.type);
    expect(types.slice(0, 4)).toEqual(['session.created', 'prompt.submitted', 'session.status', 'tool.call']);
    expect(types).toContain('assistant.message');
    expect(types.slice(-3)).toEqual(['todos.updated', 'cost.updated', 'session.idle']);
    expect(recording.events.map((event) => event.sequence)).toEqual(recording.events.map((_, index) => index + 1));
    recording.close();

    const view = viewOf((await h.client.getSession(sessionId)).projection);
    expect(view.isGenerating).toBe(false);
    expect(view.messages.map((message) => message.role)).toEqual(['user', 'assistant']);
    expect(view.toolCalls).toMatchObject([{ status: 'complete' }]);
    expect(view.todos).toHaveLength(2);
    expect(view.sessionCost).toBeGreaterThan(0);
  });

  it('waits for a permission and continues once it is allowed', async () => {
    const { sessionId, recording } = await promptAndWatch('[permission] list files', hasType('permission.requested'));
    const asked = recording.events.find((event) => event.type === 'permission.requested')!;
    const permissionId = String(asked.payload.permissionId);
    expect(viewOf((await h.client.getSession(sessionId)).projection).pendingApprovals).toMatchObject([{ id: permissionId }]);
    const answer = await h.client.respondToPermission(sessionId, { permissionId, response: 'once' });
    expect(viewOf(answer.view.projection).resolvedApprovals).toMatchObject([{ id: permissionId, allowed: true }]);
    await recording.until(hasType('session.idle'));
    expect(recording.events.filter((event) => event.type === 'tool.call')).toHaveLength(2);
    recording.close();
    // Answering twice: the request is no longer pending.
    expect((await failure(h.client.respondToPermission(sessionId, { permissionId, response: true }))).kind).toBe('not_found');
  });

  it('skips the tool when a permission is denied', async () => {
    const { sessionId, recording } = await promptAndWatch('[permission]', hasType('permission.requested'));
    const asked = recording.events.find((event) => event.type === 'permission.requested')!;
    await h.client.respondToPermission(sessionId, { permissionId: String(asked.payload.permissionId), response: 'deny' });
    await recording.until(hasType('session.idle'));
    recording.close();
    expect(recording.events.some((event) => event.type === 'tool.call')).toBe(false);
    const view = viewOf((await h.client.getSession(sessionId)).projection);
    expect(view.resolvedApprovals).toMatchObject([{ allowed: false }]);
    expect(view.messages.at(-1)?.content).toContain('not allowed');
  });

  it('asks a question and uses the answer, or goes on when it is rejected', async () => {
    const replied = await promptAndWatch('[question]', hasType('question.asked'));
    const requestId = String(replied.recording.events.find((event) => event.type === 'question.asked')!.payload.requestId);
    await h.client.replyToQuestion(replied.sessionId, { requestId, answers: [['short']] });
    await replied.recording.until(hasType('session.idle'));
    replied.recording.close();
    expect(viewOf((await h.client.getSession(replied.sessionId)).projection).messages.at(-1)?.content).toContain(
      'You answered: [["short"]]',
    );

    const rejected = await promptAndWatch('[question]', hasType('question.asked'));
    const rejectId = String(rejected.recording.events.find((event) => event.type === 'question.asked')!.payload.requestId);
    await h.client.rejectQuestion(rejected.sessionId, { requestId: rejectId });
    await rejected.recording.until(hasType('session.idle'));
    rejected.recording.close();
    const view = viewOf((await h.client.getSession(rejected.sessionId)).projection);
    expect(view.resolvedQuestions).toMatchObject([{ id: rejectId, rejected: true }]);
    expect(view.pendingQuestions).toEqual([]);
  });

  it('records an artifact and a runtime error when the prompt asks for them', async () => {
    const artifact = await promptAndWatch('[artifact]', hasType('session.idle'));
    artifact.recording.close();
    expect(viewOf((await h.client.getSession(artifact.sessionId)).projection).artifacts).toMatchObject([{ filename: 'scripted-notes.md' }]);

    const failed = await promptAndWatch('[error]', hasType('session.idle'));
    failed.recording.close();
    const view = viewOf((await h.client.getSession(failed.sessionId)).projection);
    expect(view.lastError).toContain('failed on request');
    expect(view.isGenerating).toBe(false);
  });

  it('aborts a long stream: session.aborted is the last event of the turn', async () => {
    const { sessionId, recording } = await promptAndWatch(
      '[stream:400]',
      (events) => events.filter((event) => event.type === 'assistant.message').length >= 3,
    );
    const aborted = await h.client.abortSession(sessionId);
    expect(aborted.command.kind).toBe('abort');
    await recording.until(hasType('session.aborted'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    recording.close();
    expect(recording.events.at(-1)?.type).toBe('session.aborted');
    const view = (await h.client.getSession(sessionId)).projection!;
    expect(view.sequence).toBe(recording.events.at(-1)?.sequence);
    expect(viewOf(view).isGenerating).toBe(false);
  });

  it('answers a repeated Idempotency-Key with the first response, and refuses it for another body', async () => {
    const { session } = await h.client.createSession();
    const key = randomUUID();
    const first = await h.client.abortSession(session.sessionId, { idempotencyKey: key });
    const again = await h.client.abortSession(session.sessionId, { idempotencyKey: key });
    expect(again).toEqual(first);
    expect((await h.client.getSession(session.sessionId)).projection?.sequence).toBe(2);
    // A key is scoped by route: the same command on another session is another request.
    const { session: other } = await h.client.createSession();
    const reused = await failure(h.client.abortSession(other.sessionId, { idempotencyKey: key }));
    expect(reused).toMatchObject({ kind: 'conflict', status: 409, code: 'idempotency.key_reused' });
  });

  it('executes concurrent requests with one Idempotency-Key once', async () => {
    const { session } = await h.client.createSession();
    const key = randomUUID();
    const responses = await Promise.all(Array.from({ length: 5 }, () => h.client.abortSession(session.sessionId, { idempotencyKey: key })));
    expect(new Set(responses.map((response) => response.command.commandId)).size).toBe(1);
    expect((await h.client.getSession(session.sessionId)).projection?.sequence).toBe(2);
  });

  it('lists sessions newest first, page by page, with filters and a scoped cursor', async () => {
    const other = await mintClient(h.server, ['desktop'], { email: `lister-${engine}@example.com` });
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      ids.push((await other.createSession()).session.sessionId);
      // Distinct updatedAt milliseconds, so that "newest first" has one answer.
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    const first = await other.listSessionsPage({ limit: 2 });
    expect(first.sessions.map((s) => s.sessionId)).toEqual([ids[4], ids[3]]);
    expect(first.totalEstimate).toBe(3);
    const second = await other.listSessionsPage({ limit: 2, cursor: first.nextCursor });
    expect(second.sessions.map((s) => s.sessionId)).toEqual([ids[2], ids[1]]);
    const last = await other.listSessionsPage({ limit: 2, cursor: second.nextCursor });
    expect(last).toMatchObject({ nextCursor: null, totalEstimate: 1 });
    expect((await other.listSessions()).map((s) => s.sessionId)).toEqual([...ids].reverse());
    const iterated: string[] = [];
    for await (const session of other.iterateSessions({ limit: 2 })) iterated.push(session.sessionId);
    expect(iterated).toEqual([...ids].reverse());
    expect((await other.listSessionsPage({ q: ids[0]!.slice(4, 16).toUpperCase() })).sessions.map((s) => s.sessionId)).toEqual([ids[0]]);
    expect((await other.listSessionsPage({ status: 'running' })).sessions).toEqual([]);
    const mismatched = await failure(other.listSessionsPage({ limit: 2, status: 'idle', cursor: first.nextCursor }));
    expect(mismatched).toMatchObject({ kind: 'http', status: 400, code: 'sessions.cursor.invalid' });
    // Sessions of other users are invisible.
    expect((await failure(h.client.getSession(ids[0]!))).kind).toBe('not_found');
  });

  it('validates project sources, uploads a snapshot and binds it to a new session', async () => {
    expect(await h.client.validateProjectSource({ kind: 'git', repositoryUrl: 'https://example.com/repo.git' })).toEqual({
      allowed: true,
      reason: null,
    });
    expect(await h.client.validateProjectSource({ kind: 'git', repositoryUrl: 'file:///etc' })).toMatchObject({
      allowed: false,
      policyCode: 'project_source.repository_not_allowed',
    });
    const denied = await failure(h.client.createSession({ projectSource: { kind: 'git', repositoryUrl: '/home/me/repo' } }));
    expect(denied).toMatchObject({ kind: 'forbidden', code: 'project_source.repository_not_allowed' });

    const upload = await h.client.uploadProjectSnapshot({
      title: 'demo',
      files: [{ path: 'src/a.txt', dataBase64: Buffer.from('hello').toString('base64') }],
    });
    expect(upload).toMatchObject({
      fileCount: 1,
      byteCount: 5,
      projectSource: { kind: 'snapshot', snapshotId: upload.snapshotId, title: 'demo' },
    });
    const bound = await h.client.createSession({ projectSource: upload.projectSource });
    expect(bound.session.projectSource).toEqual({ kind: 'snapshot', snapshotId: upload.snapshotId, title: 'demo' });
    expect(viewOf(bound.projection).projectSource).toMatchObject({ kind: 'snapshot', snapshotId: upload.snapshotId });
  });

  it('imports a local session as events, and refuses artifacts without an object store', async () => {
    const request: SessionImportRequest = {
      source: { kind: 'local-session', fingerprint: 'fp-1', title: 'Local' },
      title: 'Imported work',
      selection: { includeMessages: true },
      itemCounts: { messages: 2, artifacts: 0, attachments: 0, projectSource: 0, excluded: 0 },
      messages: [
        { id: 'm2', role: 'assistant', content: 'Hi!', order: 2 },
        { id: 'm1', role: 'user', content: 'Hello', order: 1 },
      ],
      sessionCost: 0.5,
    };
    const imported = await h.client.importSession(request);
    expect(imported.session.title).toBe('Imported work');
    const view = viewOf(imported.projection);
    expect(view.messages.map((m) => m.content)).toEqual(['Hello', 'Hi!']);
    expect(view.origin).toMatchObject({ kind: 'local-session-import', sourceFingerprint: 'fp-1' });
    expect(view.sessionCost).toBe(0.5);
    const withArtifacts = { ...request, artifacts: [{ id: 'a', filename: 'a.txt', dataBase64: 'YQ==', order: 1 }] };
    expect(await failure(h.client.importSession(withArtifacts))).toMatchObject({
      kind: 'server',
      status: 503,
      code: 'storage.object_store_unconfigured',
    });
  });

  it('answers the error kinds the server produces, each with a code and a request id', async () => {
    const anonymous = clientFor(h.server.baseUrl, 'not-a-token');
    expect(await failure(anonymous.listSessions())).toMatchObject({ kind: 'unauthorized', status: 401 });
    const notFound = await failure(h.client.getSession('ses_missing'));
    expect(notFound).toMatchObject({ kind: 'not_found', code: 'sessions.not_found' });
    expect(notFound.requestId).toBeTruthy();
    const { session } = await h.client.createSession();
    const tooLarge = await failure(h.client.promptSession(session.sessionId, { text: 'x'.repeat(1024 * 1024 + 1) }));
    expect(tooLarge).toMatchObject({ kind: 'http', status: 413, code: 'request.body_too_large' });
    const invalid = await failure(h.client.listSessionsPage({ cursor: 'garbage' }));
    expect(invalid).toMatchObject({ kind: 'http', status: 400, code: 'sessions.cursor.invalid' });
    const missing = await failure(h.client.rejectQuestion(session.sessionId, { requestId: 'nope' }));
    expect(missing).toMatchObject({ kind: 'not_found', code: 'sessions.question_not_found' });
  });
});
