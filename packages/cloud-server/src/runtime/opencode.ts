import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Event as OpenCodeEvent, OpencodeClient, Part, QuestionAnswer } from '@opencode-ai/sdk/v2/client';
import type { ProjectedSessionEventType } from '@open-cowork/shared';
import type { RuntimeAdapter, RuntimeHost, RuntimeTurn } from './adapter.js';
import { createOpenCodeServer, findOpenCodeBinary, OPENCODE_VERSION, type RunningOpenCode } from './opencode-server.js';

interface Logger {
  warn(details: object, message: string): void;
}

export interface OpenCodeRuntimeOptions {
  /** `<provider>/<model>`. */
  model: string;
  /** Root of the OpenCode server's directories; null: a temporary directory, removed on close. */
  dataDir: string | null;
  /** Base URL (and optional key) of the `openai-compatible` provider. */
  openaiCompatible: { baseUrl: string; apiKey: string | null } | null;
  /** The org's active BYOK secret for the provider, decrypted; null when it has none. */
  providerKey(orgId: string, providerId: string): Promise<string | null>;
  logger: Logger;
}

/** Tool output kept in a `tool.call` event; the rest is summarised by its length. */
const MAX_TOOL_OUTPUT = 4000;
const OPENAI_COMPATIBLE = 'openai-compatible';
/** How long an aborted turn waits for OpenCode to confirm that it stopped. */
const ABORT_SETTLE_MS = 15_000;

const bounded = (text: string) =>
  text.length <= MAX_TOOL_OUTPUT ? text : `${text.slice(0, MAX_TOOL_OUTPUT)}\n… (${text.length - MAX_TOOL_OUTPUT} more characters)`;

/** OpenCode's answer to a question, from the cloud's: one list of chosen labels per question. */
const toAnswers = (answers: unknown[] | null): QuestionAnswer[] =>
  (answers ?? []).map((answer) => (Array.isArray(answer) ? answer.map(String) : typeof answer === 'string' ? [answer] : []));

/** Strings that look like provider keys, redacted even when the runtime does not know them. */
const KEY_LIKE = /\b(?:sk|gsk|pk|rk)-[A-Za-z0-9_-]{12,}|\bAIza[0-9A-Za-z_-]{30,}/g;

/** The OpenCode session of a cloud session lives in a directory named after it. */
const directoryName = (sessionId: string) => sessionId.replace(/[^\w.-]/g, '_');

function errorMessage(error: unknown): string {
  if (error && typeof error === 'object') {
    const { name, data } = error as { name?: string; data?: { message?: unknown } };
    if (typeof data?.message === 'string') return data.message;
    if (typeof name === 'string') return name;
  }
  return 'OpenCode reported an error.';
}

/** The SDK answers `{ data }` or `{ error }`; a failed call becomes an exception here. */
async function must<T>(call: Promise<{ data?: T; error?: unknown }>, what: string): Promise<T> {
  const { data, error } = await call;
  if (error !== undefined) throw new Error(`OpenCode could not ${what}: ${errorMessage(error)}`);
  return data as T;
}

/**
 * The `opencode` runtime: OpenCode executes each prompt with a real model. One `opencode serve`
 * per process (see opencode-server.ts) holds an OpenCode session per cloud session, each in its
 * own working directory; its events become the cloud's session events, and permission requests
 * and questions wait for the user's answer before OpenCode gets it. The provider key comes from
 * the org's active BYOK secret (or the openai-compatible settings) and is redacted from every
 * event this runtime emits.
 */
export function createOpenCodeRuntime(options: OpenCodeRuntimeOptions): RuntimeAdapter {
  const binary = findOpenCodeBinary();
  if (!binary)
    throw new Error('The OpenCode binary is missing: install the optional dependencies of opencode-ai (npm install --include=optional).');
  const slash = options.model.indexOf('/');
  const providerID = options.model.slice(0, slash);
  const modelID = options.model.slice(slash + 1);
  const secrets = new Set<string>();
  const redact = (text: string) => {
    let clean = text;
    for (const secret of secrets) clean = clean.split(secret).join('[redacted]');
    return clean.replace(KEY_LIKE, '[redacted]');
  };
  const redactDeep = (value: unknown): unknown =>
    typeof value === 'string'
      ? redact(value)
      : Array.isArray(value)
        ? value.map(redactDeep)
        : value && typeof value === 'object'
          ? Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, redactDeep(entry)]))
          : value;

  let root: Promise<string> | null = null;
  const rootDir = () =>
    (root ??= options.dataDir
      ? mkdir(options.dataDir, { recursive: true }).then(() => options.dataDir!)
      : mkdtemp(join(tmpdir(), 'open-cowork-opencode-')));
  let server: ReturnType<typeof createOpenCodeServer> | null = null;
  const openCodeSessions = new Map<string, string>();

  /** OpenCode's config for this model and key: the one provider, nothing else enabled. */
  function providerConfig(key: string | null): object {
    const keyOption = key ? { apiKey: key } : {};
    const provider =
      providerID === OPENAI_COMPATIBLE
        ? {
            npm: '@ai-sdk/openai-compatible',
            name: 'OpenAI-compatible',
            options: { baseURL: options.openaiCompatible!.baseUrl, ...keyOption },
            models: { [modelID]: { name: modelID, tool_call: true } },
          }
        : { options: keyOption };
    return { model: options.model, small_model: options.model, enabled_providers: [providerID], provider: { [providerID]: provider } };
  }

  async function keyFor(orgId: string): Promise<{ key: string | null } | null> {
    const key =
      providerID === OPENAI_COMPATIBLE
        ? (options.openaiCompatible?.apiKey ?? (await options.providerKey(orgId, OPENAI_COMPATIBLE)))
        : await options.providerKey(orgId, providerID);
    if (key) secrets.add(key);
    if (!key && providerID !== OPENAI_COMPATIBLE) return null;
    return { key };
  }

  async function openCodeSession(client: OpencodeClient, sessionId: string, directory: string): Promise<string> {
    const known = openCodeSessions.get(sessionId);
    if (known) return known;
    // After a restart of this process the OpenCode session is still in OpenCode's store.
    const existing = (await must(client.session.list({ directory }), 'list its sessions')).find(
      (session) => session.directory === directory && !session.parentID,
    );
    const id = existing?.id ?? (await must(client.session.create({ directory, title: sessionId }), 'create a session')).id;
    openCodeSessions.set(sessionId, id);
    return id;
  }

  async function runTurn(turn: RuntimeTurn, host: RuntimeHost): Promise<void> {
    const emit = (type: ProjectedSessionEventType, payload: Record<string, unknown>) =>
      host.emit(type, redactDeep(payload) as Record<string, unknown>);
    await emit('session.status', { statusType: 'busy' });
    const credentials = await keyFor(turn.tenantId);
    if (!credentials) {
      await emit('runtime.error', {
        id: `${turn.commandId}:no-key`,
        message: `No active BYOK key for the provider "${providerID}": an admin stores one (POST /api/byok/${providerID}) before OpenCode can answer.`,
      });
      await emit('session.idle', {});
      return;
    }
    server ??= createOpenCodeServer({ binary: binary!, root: await rootDir(), logger: options.logger, redact });
    const running = await server.ensure(providerConfig(credentials.key));
    host.signal.throwIfAborted();
    const directory = join(await rootDir(), 'sessions', directoryName(turn.sessionId));
    await mkdir(directory, { recursive: true });
    const sessionID = await openCodeSession(running.client, turn.sessionId, directory);
    await followTurn(turn, host, emit, running, sessionID, directory);
  }

  /** Prompts OpenCode and maps its events until the session is idle again. */
  function followTurn(
    turn: RuntimeTurn,
    host: RuntimeHost,
    emit: (type: ProjectedSessionEventType, payload: Record<string, unknown>) => Promise<void>,
    running: RunningOpenCode,
    sessionID: string,
    directory: string,
  ): Promise<void> {
    const { client } = running;
    const sessions = new Set([sessionID]);
    const assistantMessages = new Set<string>();
    const textSoFar = new Map<string, string>();
    const toolStates = new Map<string, string>();
    const counted = new Set<string>();
    let errors = 0;

    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let chain = Promise.resolve();
      const finish = (error?: unknown) => {
        if (settled) return;
        settled = true;
        unsubscribe();
        unwatchExit();
        host.signal.removeEventListener('abort', onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      const later = (work: () => Promise<void>) => {
        chain = chain.then(() => (settled ? undefined : work())).catch(finish);
      };
      /** A wait for the user that must not hold up the events behind it. */
      const aside = (work: Promise<void>) => void work.catch(finish);
      // The turn ends once OpenCode is idle again, so that the session's next prompt does not take
      // this turn's late idle for its own; the host already refuses this turn's events.
      let aborting = false;
      const onAbort = () => {
        aborting = true;
        const settle = () => finish(host.signal.reason);
        const timer = setTimeout(settle, ABORT_SETTLE_MS);
        finishAborted = () => {
          clearTimeout(timer);
          settle();
        };
        void client.session.abort({ sessionID, directory }).catch(finishAborted);
      };
      let finishAborted: () => void = () => {};

      const appendText = (part: { id: string; messageID: string }, text: string) => {
        const seen = textSoFar.get(part.id) ?? '';
        textSoFar.set(part.id, seen + text);
        if (text) later(() => emit('assistant.message', { messageId: part.messageID, content: text, mode: 'append' }));
      };

      const onPart = (part: Part) => {
        if (!assistantMessages.has(part.messageID)) return;
        if (part.type === 'text' && !part.synthetic && !part.ignored) {
          const seen = textSoFar.get(part.id) ?? '';
          // The final update carries the whole text: append what the deltas did not.
          appendText(part, part.text.startsWith(seen) ? part.text.slice(seen.length) : '');
        } else if (part.type === 'tool' && part.state.status !== 'pending') {
          const { state } = part;
          const status = state.status === 'completed' ? 'complete' : state.status;
          const signature = `${status}:${JSON.stringify(state.input)}`;
          if (toolStates.get(part.callID) === signature) return;
          toolStates.set(part.callID, signature);
          const output = state.status === 'completed' ? bounded(state.output) : state.status === 'error' ? bounded(state.error) : undefined;
          later(() =>
            emit('tool.call', {
              id: part.callID,
              name: part.tool,
              input: state.input,
              status,
              ...(output === undefined ? {} : { output }),
            }),
          );
        } else if (part.type === 'step-finish' && !counted.has(part.id)) {
          counted.add(part.id);
          const { tokens } = part;
          later(() =>
            emit('cost.updated', {
              cost: part.cost,
              tokens: {
                input: tokens.input,
                output: tokens.output,
                reasoning: tokens.reasoning,
                cacheRead: tokens.cache.read,
                cacheWrite: tokens.cache.write,
              },
            }),
          );
        }
      };

      const onEvent = (event: OpenCodeEvent) => {
        const properties = event.properties as { sessionID?: string; info?: { parentID?: string; id?: string } };
        if (event.type === 'session.created' && properties.info?.parentID && sessions.has(properties.info.parentID))
          sessions.add(properties.info.id!);
        if (!properties.sessionID || !sessions.has(properties.sessionID)) return;
        if (aborting) {
          if (event.type === 'session.idle' && event.properties.sessionID === sessionID) finishAborted();
          return;
        }
        switch (event.type) {
          case 'message.updated':
            if (event.properties.info.role === 'assistant' && event.properties.sessionID === sessionID)
              assistantMessages.add(event.properties.info.id);
            return;
          case 'message.part.updated':
            return onPart(event.properties.part);
          case 'message.part.delta':
            if (event.properties.field === 'text' && textSoFar.has(event.properties.partID)) {
              appendText({ id: event.properties.partID, messageID: event.properties.messageID }, event.properties.delta);
            }
            return;
          case 'permission.asked': {
            const { id, permission, patterns, metadata, tool } = event.properties;
            later(async () => {
              await emit('permission.requested', {
                permissionId: id,
                tool: permission,
                input: { ...metadata, patterns },
                description: `OpenCode asks to use ${permission}${patterns.length ? `: ${patterns.join(', ')}` : ''}.`,
                ...(tool ? { callId: tool.callID } : {}),
              });
              aside(
                host.waitForPermission(id).then(async ({ allowed }) => {
                  await must(
                    client.permission.reply({ requestID: id, reply: allowed ? 'once' : 'reject', directory }),
                    'pass on the permission answer',
                  );
                }),
              );
            });
            return;
          }
          case 'question.asked': {
            const { id, questions, tool } = event.properties;
            later(async () => {
              await emit('question.asked', {
                requestId: id,
                questions,
                ...(tool ? { tool: { messageId: tool.messageID, callId: tool.callID } } : {}),
              });
              aside(
                host.waitForQuestion(id).then(async ({ answers, rejected }) => {
                  if (rejected) await must(client.question.reject({ requestID: id, directory }), 'pass on the rejected question');
                  else await must(client.question.reply({ requestID: id, answers: toAnswers(answers), directory }), 'pass on the answer');
                }),
              );
            });
            return;
          }
          case 'todo.updated':
            if (event.properties.sessionID !== sessionID) return;
            later(() =>
              emit('todos.updated', {
                todos: event.properties.todos.map(({ content, status, priority }) => ({ content, status, priority })),
              }),
            );
            return;
          case 'session.status': {
            const { status } = event.properties;
            if (status.type === 'retry')
              later(() => emit('session.status', { statusType: 'retry', attempt: status.attempt, message: status.message }));
            return;
          }
          case 'session.error': {
            const { error } = event.properties;
            if (!error || error.name === 'MessageAbortedError') return;
            errors += 1;
            later(() =>
              emit('runtime.error', { id: `${turn.commandId}:error:${errors}`, message: `${providerID}: ${errorMessage(error)}` }),
            );
            return;
          }
          case 'session.idle':
            if (event.properties.sessionID !== sessionID) return;
            later(async () => {
              await emit('session.idle', {});
              finish();
            });
            return;
          default:
        }
      };

      const unsubscribe = running.onEvent(onEvent);
      const unwatchExit = running.onExit((reason) =>
        later(async () => {
          await emit('runtime.error', {
            id: `${turn.commandId}:opencode-exit`,
            message: `${reason} It starts again with the next prompt.`,
          });
          await emit('session.idle', {});
          finish();
        }),
      );
      if (host.signal.aborted) return onAbort();
      host.signal.addEventListener('abort', onAbort, { once: true });
      later(async () => {
        await must(
          client.session.promptAsync({ sessionID, directory, model: { providerID, modelID }, parts: [{ type: 'text', text: turn.text }] }),
          'accept the prompt',
        );
      });
    });
  }

  return {
    name: 'opencode',
    description: `OpenCode ${OPENCODE_VERSION} with the model ${options.model}${providerID === OPENAI_COMPATIBLE ? ` at ${options.openaiCompatible?.baseUrl}` : ' (key from the org’s BYOK secret)'}.`,
    runTurn,
    async close() {
      await server?.stop();
      if (!options.dataDir && root) await rm(await root, { recursive: true, force: true });
    },
  };
}
