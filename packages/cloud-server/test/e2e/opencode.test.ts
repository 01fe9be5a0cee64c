import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudSessionEvent, CloudSessionProjectionView } from '@open-cowork/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOpenCodeBinary } from '../../src/runtime/opencode-server.js';
import { type FakeModel, startFakeModel } from '../helpers/fake-model.js';
import { type Harness, hasType, record, startHarness, waitFor } from './harness.js';

const binary = findOpenCodeBinary();
const runnable = binary !== null && spawnSync(binary, ['--version'], { timeout: 60_000 }).status === 0;
if (!runnable && !process.env.CI) {
  console.warn(`Skipping the OpenCode runtime tests: the OpenCode binary ${binary ?? '(not installed)'} cannot run on this machine.`);
}

const viewOf = (projection: { view: Record<string, unknown> } | null) => projection?.view as unknown as CloudSessionProjectionView;
const ofType = (events: CloudSessionEvent[], type: string) => events.filter((event) => event.type === type);
/** A turn with real OpenCode takes seconds, and much longer on a loaded machine. */
const TURN_MS = 240_000;

/** Every file under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** The pid of the `opencode serve` process working in `dataDir` (its cwd is the sessions directory). */
async function openCodePidUnder(dataDir: string): Promise<number> {
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const [cmdline, cwd] = await Promise.all([
      readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => ''),
      readlink(`/proc/${pid}/cwd`).catch(() => ''),
    ]);
    if (cmdline.includes('serve') && cwd === join(dataDir, 'sessions')) return Number(pid);
  }
  throw new Error('No OpenCode process works in the data directory.');
}

// One OpenCode server (and one cloud) for the whole file: starting OpenCode takes seconds.
describe.skipIf(!runnable && !process.env.CI)('the OpenCode runtime, end to end through the client', () => {
  const secret = `byok-test-${randomBytes(16).toString('hex')}`;
  let fake: FakeModel;
  let h: Harness;
  let dataDir: string;
  const allEvents: CloudSessionEvent[] = [];
  const answers: unknown[] = [];

  beforeAll(async () => {
    fake = await startFakeModel();
    dataDir = await mkdtemp(join(tmpdir(), 'opencode-e2e-'));
    h = await startHarness({
      scopes: ['desktop', 'admin'],
      config: {
        byok: { key: randomBytes(32).toString('base64'), kmsRefPrefixes: [] },
        runtime: {
          kind: 'opencode',
          model: 'openai-compatible/fake-model',
          dataDir,
          openaiCompatible: { baseUrl: fake.baseUrl, apiKey: null },
        },
      },
    });
    answers.push(await h.client.setByokSecret('openai-compatible', { apiKey: secret }));
    answers.push(await h.client.validateByokSecret('openai-compatible'));
  });
  afterAll(async () => {
    await h?.server.close();
    await fake?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /** Creates a session, prompts it and returns its events once `until` holds. */
  async function promptAndWatch(text: string, until: (events: CloudSessionEvent[]) => boolean) {
    const { session } = await h.client.createSession();
    const recording = record<CloudSessionEvent>((handlers) => h.client.subscribeSessionEvents(session.sessionId, handlers));
    answers.push(await h.client.promptSession(session.sessionId, { text }));
    await recording.until(until, TURN_MS);
    return { sessionId: session.sessionId, recording };
  }

  /** Waits for the end of the turn, keeps its events for the secret check, and returns them. */
  async function finish(
    { sessionId, recording }: Awaited<ReturnType<typeof promptAndWatch>>,
    until: (events: CloudSessionEvent[]) => boolean = hasType('session.idle'),
  ) {
    const events = await recording.until(until, TURN_MS);
    recording.close();
    allEvents.push(...events);
    const view = await h.client.getSession(sessionId);
    answers.push(view);
    return { events, view: viewOf(view.projection) };
  }

  it('streams the model reply as appended parts of one message, with busy, cost and idle', { timeout: TURN_MS }, async () => {
    const { events, view } = await finish(await promptAndWatch('Say hello', hasType('session.idle')));
    expect(events[0]?.type).toBe('session.created');
    expect(events.find((event) => event.type === 'session.status')?.payload).toMatchObject({ statusType: 'busy' });
    const parts = ofType(events, 'assistant.message');
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.every((part) => part.payload.mode === 'append' && part.payload.messageId === parts[0]!.payload.messageId)).toBe(true);
    expect(parts.map((part) => part.payload.content).join('')).toBe('Hello from the fake model.');
    expect(ofType(events, 'cost.updated')[0]?.payload).toMatchObject({ tokens: { input: 42 } });
    expect(events.at(-1)?.type).toBe('session.idle');
    expect(view.messages.map((message) => [message.role, message.content])).toEqual([
      ['user', 'Say hello'],
      ['assistant', 'Hello from the fake model.'],
    ]);
    expect(view.isGenerating).toBe(false);
    // The org's BYOK key reached the model, and only the model.
    expect(fake.authorizations).toContain(secret);
  });

  it('runs a tool after the user allows it, and reports its input and output', { timeout: TURN_MS }, async () => {
    const turn = await promptAndWatch('[tool:bash] print the marker', hasType('permission.requested'));
    const asked = ofType(turn.recording.events, 'permission.requested')[0]!;
    expect(asked.payload).toMatchObject({ tool: 'bash', input: { command: 'echo fake-tool-ran' } });
    await h.client.respondToPermission(turn.sessionId, { permissionId: String(asked.payload.permissionId), response: 'once' });
    const { events, view } = await finish(turn);
    const calls = ofType(events, 'tool.call').map((event) => event.payload);
    expect(calls.map((call) => call.status)).toContain('running');
    expect(calls.at(-1)).toMatchObject({ id: 'call_bash', name: 'bash', status: 'complete', input: { command: 'echo fake-tool-ran' } });
    expect(String(calls.at(-1)!.output)).toContain('fake-tool-ran');
    expect(view.resolvedApprovals).toMatchObject([{ allowed: true }]);
    expect(view.messages.at(-1)?.content).toBe('The tool finished.');
  });

  it('does not run the tool when the user denies it', { timeout: TURN_MS }, async () => {
    const turn = await promptAndWatch('[tool:bash] print the marker', hasType('permission.requested'));
    const asked = ofType(turn.recording.events, 'permission.requested')[0]!;
    await h.client.respondToPermission(turn.sessionId, { permissionId: String(asked.payload.permissionId), response: 'deny' });
    const { events, view } = await finish(turn);
    const calls = ofType(events, 'tool.call').map((event) => event.payload);
    expect(calls.at(-1)).toMatchObject({ id: 'call_bash', status: 'error' });
    expect(JSON.stringify(calls)).not.toContain('fake-tool-ran\\n');
    expect(view.resolvedApprovals).toMatchObject([{ allowed: false }]);
  });

  it('asks the model’s question and hands the answer back to it', { timeout: TURN_MS }, async () => {
    const turn = await promptAndWatch('[question] how long?', hasType('question.asked'));
    const asked = ofType(turn.recording.events, 'question.asked')[0]!;
    expect(asked.payload.questions).toMatchObject([{ header: 'Format', options: [{ label: 'short' }, { label: 'long' }] }]);
    await h.client.replyToQuestion(turn.sessionId, { requestId: String(asked.payload.requestId), answers: [['long']] });
    const { view } = await finish(turn);
    expect(view.resolvedQuestions).toMatchObject([{ answers: [['long']], rejected: false }]);
    expect(view.messages.at(-1)?.content).toBe('You chose long.');
  });

  it('aborts mid-stream: nothing of the turn lands after session.aborted, and the session answers again', {
    timeout: TURN_MS,
  }, async () => {
    const turn = await promptAndWatch('[slow] count', (events) => ofType(events, 'assistant.message').length >= 3);
    const aborted = await h.client.abortSession(turn.sessionId);
    await turn.recording.until(hasType('session.aborted'), TURN_MS);
    // The next prompt's idle proves OpenCode is done with the aborted turn.
    answers.push(await h.client.promptSession(turn.sessionId, { text: 'Say hello' }));
    const { events } = await finish(turn, (seen) =>
      ofType(seen, 'session.idle').some((event) => event.sequence > ofType(seen, 'session.aborted')[0]!.sequence),
    );
    const abortedAt = ofType(events, 'session.aborted')[0]!.sequence;
    const slowCommand = ofType(events, 'prompt.submitted')[0]!.payload.commandId;
    expect(aborted.command.kind).toBe('abort');
    expect(events.filter((event) => event.sequence > abortedAt && event.payload.commandId === slowCommand)).toEqual([]);
    const streamed = ofType(events, 'assistant.message').filter((event) => event.payload.commandId === slowCommand);
    expect(streamed.length).toBeLessThan(400);
  });

  it('reports a provider error as runtime.error, with the key redacted, and leaves the session idle', { timeout: TURN_MS }, async () => {
    const { events, view } = await finish(await promptAndWatch('[error] fail please', hasType('session.idle')));
    const error = ofType(events, 'runtime.error')[0]!;
    expect(String(error.payload.message)).toContain('The fake model refused the request made with key [redacted]');
    expect(events.at(-1)?.type).toBe('session.idle');
    expect(view.lastError).toContain('refused');
    expect(view.isGenerating).toBe(false);
  });

  it('starts OpenCode again for the next prompt after it died', { timeout: TURN_MS }, async () => {
    const serverPid = await openCodePidUnder(dataDir);
    process.kill(serverPid, 'SIGKILL');
    // Gone from /proc once reaped, which is when the server has seen the exit.
    await waitFor(() => !existsSync(`/proc/${serverPid}`), { what: 'OpenCode to exit' });
    const { view } = await finish(await promptAndWatch('Say hello', hasType('session.idle')));
    expect(view.messages.at(-1)?.content).toBe('Hello from the fake model.');
    expect(await openCodePidUnder(dataDir)).not.toBe(serverPid);
  });

  it('never shows the BYOK key in events, answers or logs', { timeout: TURN_MS }, async () => {
    expect(allEvents.length).toBeGreaterThan(20);
    expect(JSON.stringify(allEvents)).not.toContain(secret);
    answers.push(await h.client.listByokSecrets(), await h.client.getRuntimeStatus());
    expect(JSON.stringify(answers)).not.toContain(secret);
    const logs = (await filesUnder(dataDir)).filter((file) => file.endsWith('.log'));
    expect(logs.some((file) => file.endsWith('opencode-server.log'))).toBe(true);
    for (const file of logs) expect(await readFile(file, 'utf8'), file).not.toContain(secret);
  });
});
