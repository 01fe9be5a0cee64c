import type { RuntimeAdapter, RuntimeHost, RuntimeTurn } from './adapter.js';

export interface ScriptedRuntimeOptions {
  /** Pause between streamed parts, so streams are observable; 0 in most tests. */
  partDelayMs?: number;
  /** Upper bound of `[stream:N]`. */
  maxStreamParts?: number;
}

/** The prompt keywords the scripted runtime reacts to. */
interface Script {
  permission: boolean;
  question: boolean;
  artifact: boolean;
  error: boolean;
  streamParts: number | null;
}

function readScript(text: string, maxStreamParts: number): Script {
  const stream = /\[stream:(\d+)\]/i.exec(text);
  return {
    permission: /\[permission\]/i.test(text),
    question: /\[question\]/i.test(text),
    artifact: /\[artifact\]/i.test(text),
    error: /\[error\]/i.test(text),
    streamParts: stream ? Math.min(Number(stream[1]), maxStreamParts) : null,
  };
}

/** Splits a reply into streamed parts of a few words each. */
function partsOf(text: string): string[] {
  return text.match(/(?:\S+\s*){1,4}/g) ?? [text];
}

/**
 * The `scripted` runtime: a deterministic stand-in for a model, for local development and tests.
 * It runs no model and no tools. A prompt produces the real event sequence of a turn: busy
 * status, a tool call running→complete, streamed assistant parts, todos, a cost delta and idle.
 * Keywords in the prompt add a permission request (`[permission]`), a question (`[question]`),
 * an artifact (`[artifact]`), a runtime error (`[error]`) or a stream of N parts (`[stream:N]`).
 * Ids derive from the command id, so the same command always yields the same events.
 */
export function createScriptedRuntime(options: ScriptedRuntimeOptions = {}): RuntimeAdapter {
  const partDelayMs = options.partDelayMs ?? 10;
  const maxStreamParts = options.maxStreamParts ?? 10_000;

  async function runTurn(turn: RuntimeTurn, host: RuntimeHost): Promise<void> {
    const script = readScript(turn.text, maxStreamParts);
    const id = turn.commandId;
    await host.emit('session.status', { statusType: 'busy' });

    if (script.error) {
      await host.emit('runtime.error', { id: `${id}:error`, commandId: id, message: 'The scripted runtime failed on request ([error]).' });
      await host.emit('session.idle', {});
      return;
    }

    let toolAllowed = true;
    if (script.permission) {
      const permissionId = `${id}:permission`;
      await host.emit('permission.requested', {
        permissionId,
        tool: 'bash',
        input: { command: 'ls -la' },
        description: 'List the files of the project directory.',
      });
      toolAllowed = (await host.waitForPermission(permissionId)).allowed;
    }

    const callId = `${id}:tool`;
    if (toolAllowed) {
      const input = { path: 'README.md' };
      await host.emit('tool.call', { id: callId, name: 'read', input, status: 'running' });
      await host.sleep(partDelayMs);
      await host.emit('tool.call', { id: callId, name: 'read', input, status: 'complete', output: '# Scripted project\n' });
    }

    let answer = '';
    if (script.question) {
      const requestId = `${id}:question`;
      await host.emit('question.asked', {
        requestId,
        questions: [
          { header: 'Format', question: 'Which format should the answer use?', options: [{ label: 'short' }, { label: 'long' }] },
        ],
      });
      const decision = await host.waitForQuestion(requestId);
      answer = decision.rejected ? ' You declined the question.' : ` You answered: ${JSON.stringify(decision.answers)}.`;
    }

    const messageId = `${id}:reply`;
    const reply = `Scripted reply to "${turn.text.slice(0, 200)}".${toolAllowed ? '' : ' The tool was not allowed.'}${answer}`;
    const parts = script.streamParts === null ? partsOf(reply) : Array.from({ length: script.streamParts }, (_, n) => `part ${n + 1} `);
    for (const content of parts) {
      await host.emit('assistant.message', { messageId, content, mode: 'append' });
      await host.sleep(partDelayMs);
    }

    if (script.artifact) {
      const body = `# Scripted artifact\n\nWritten for command ${id}.\n`;
      await host.emit('artifact.created', {
        artifactId: `${id}:artifact`,
        filename: 'scripted-notes.md',
        contentType: 'text/markdown',
        size: Buffer.byteLength(body),
        kind: 'document',
        status: 'draft',
      });
    }

    await host.emit('todos.updated', {
      todos: [
        { id: `${id}:todo:1`, content: 'Read the prompt', status: 'completed', priority: 'high' },
        { id: `${id}:todo:2`, content: 'Reply', status: 'completed', priority: 'medium' },
      ],
    });
    const output = parts.reduce((total, part) => total + part.length, 0);
    await host.emit('cost.updated', {
      cost: 0.0001,
      tokens: { input: turn.text.length, output, reasoning: 0, cacheRead: 0, cacheWrite: 0 },
    });
    await host.emit('session.idle', {});
  }

  return {
    name: 'scripted',
    description: 'Deterministic scripted runtime for local development and tests: it runs no model and no tools.',
    runTurn,
  };
}
