import { describe, expect, it } from 'vitest';
import type { RuntimeHost, RuntimeTurn } from '../../src/runtime/adapter.js';
import { createScriptedRuntime } from '../../src/runtime/scripted.js';

const turn = (text: string): RuntimeTurn => ({ tenantId: 't', userId: 'u', sessionId: 's', commandId: 'cmd_1', text, agent: null });

/** A host that records emitted events and answers waits with the given decisions. */
function fakeHost(answers: { allowed?: boolean; answers?: unknown[]; rejected?: boolean; abortAfter?: number } = {}) {
  const emitted: { type: string; payload: Record<string, unknown> }[] = [];
  const controller = new AbortController();
  const host: RuntimeHost = {
    signal: controller.signal,
    async emit(type, payload) {
      controller.signal.throwIfAborted();
      emitted.push({ type, payload });
      if (answers.abortAfter !== undefined && emitted.length >= answers.abortAfter) controller.abort(new Error('aborted'));
    },
    waitForPermission: async () => ({ allowed: answers.allowed ?? true }),
    waitForQuestion: async () => ({ answers: answers.answers ?? null, rejected: answers.rejected ?? false }),
    sleep: async () => controller.signal.throwIfAborted(),
  };
  return { host, emitted, types: () => emitted.map((event) => event.type) };
}

describe('scripted runtime', () => {
  const runtime = createScriptedRuntime({ partDelayMs: 0 });

  it('labels itself as a scripted runtime that runs no model', () => {
    expect(runtime.name).toBe('scripted');
    expect(runtime.description).toMatch(/no model/);
  });

  it('turns a prompt into busy, a tool call, streamed parts, todos, a cost delta and idle', async () => {
    const { host, emitted, types } = fakeHost();
    await runtime.runTurn(turn('hello world'), host);
    expect(types()[0]).toBe('session.status');
    expect(types().slice(1, 3)).toEqual(['tool.call', 'tool.call']);
    expect(emitted.slice(1, 3).map((event) => event.payload.status)).toEqual(['running', 'complete']);
    expect(types().slice(-3)).toEqual(['todos.updated', 'cost.updated', 'session.idle']);
    const parts = emitted.filter((event) => event.type === 'assistant.message');
    expect(parts.every((part) => part.payload.mode === 'append' && part.payload.messageId === 'cmd_1:reply')).toBe(true);
    expect(parts.map((part) => part.payload.content).join('')).toContain('Scripted reply to "hello world"');
  });

  it('is deterministic: the same command yields the same events', async () => {
    const [a, b] = [fakeHost(), fakeHost()];
    await runtime.runTurn(turn('[artifact] [permission] [question]'), a.host);
    await runtime.runTurn(turn('[artifact] [permission] [question]'), b.host);
    expect(a.emitted).toEqual(b.emitted);
  });

  it('streams exactly N parts for [stream:N]', async () => {
    const { host, emitted } = fakeHost();
    await runtime.runTurn(turn('[stream:37]'), host);
    expect(emitted.filter((event) => event.type === 'assistant.message')).toHaveLength(37);
  });

  it('asks for a permission before the tool and skips the tool when denied', async () => {
    const denied = fakeHost({ allowed: false });
    await runtime.runTurn(turn('[permission]'), denied.host);
    expect(denied.types()).toContain('permission.requested');
    expect(denied.types()).not.toContain('tool.call');
  });

  it('asks a question and reports the answer or the rejection', async () => {
    const answered = fakeHost({ answers: ['long'] });
    await runtime.runTurn(turn('[question]'), answered.host);
    expect(answered.emitted.find((event) => event.type === 'question.asked')?.payload.requestId).toBe('cmd_1:question');
    expect(
      answered.emitted
        .filter((e) => e.type === 'assistant.message')
        .map((e) => e.payload.content)
        .join(''),
    ).toContain('["long"]');
    const rejected = fakeHost({ rejected: true });
    await runtime.runTurn(turn('[question]'), rejected.host);
    expect(
      rejected.emitted
        .filter((e) => e.type === 'assistant.message')
        .map((e) => e.payload.content)
        .join(''),
    ).toContain('declined');
  });

  it('emits an artifact, or a runtime error followed by idle, on request', async () => {
    const artifact = fakeHost();
    await runtime.runTurn(turn('[artifact]'), artifact.host);
    expect(artifact.emitted.find((event) => event.type === 'artifact.created')?.payload).toMatchObject({
      artifactId: 'cmd_1:artifact',
      filename: 'scripted-notes.md',
    });
    const failing = fakeHost();
    await runtime.runTurn(turn('[error]'), failing.host);
    expect(failing.types()).toEqual(['session.status', 'runtime.error', 'session.idle']);
  });

  it('stops at the first step after the host aborts', async () => {
    const { host, emitted } = fakeHost({ abortAfter: 4 });
    await expect(runtime.runTurn(turn('[stream:100]'), host)).rejects.toThrow('aborted');
    expect(emitted).toHaveLength(4);
  });
});
