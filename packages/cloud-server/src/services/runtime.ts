import type { PermissionDecision, QuestionDecision, RuntimeAdapter, RuntimeHost, RuntimeTurn } from '../runtime/adapter.js';
import type { EventsStore, StoredSessionEvent } from '../store/events.js';
import type { EventBus } from './event-bus.js';
import { type EventService, TurnAbortedError } from './events.js';

export interface StartTurn extends RuntimeTurn {
  /** Sequence of the turn's `prompt.submitted`: the turn watches events after it. */
  startSequence: number;
}

interface Logger {
  error(details: object, message: string): void;
}

const READ_BATCH = 500;

/**
 * Runs runtime turns: one at a time per session, in prompt order. A turn learns about aborts
 * and answers by reading its session's events after its prompt, woken by the event bus, so an
 * abort or reply accepted by another server process reaches it too. After an abort the event
 * service refuses the turn's appends, so nothing of it lands after `session.aborted`.
 */
export function createRuntimeService(deps: { adapter: RuntimeAdapter; events: EventService; eventsStore: EventsStore; bus: EventBus; logger: Logger }) {
  const { adapter, events, eventsStore, bus, logger } = deps;
  const queues = new Map<string, Promise<void>>();
  const running = new Set<AbortController>();
  let closing = false;

  async function runTurn(turn: StartTurn): Promise<void> {
    const controller = new AbortController();
    const waiters = new Map<string, (event: StoredSessionEvent) => void>();
    // Answers read before anyone waited for them (a fast reply can beat the turn's next step).
    const answered = new Map<string, StoredSessionEvent>();
    let cursor = turn.startSequence;
    let reading = Promise.resolve();

    // Serialised so a burst of wakes reads each event once.
    const catchUp = () => {
      reading = reading.then(async () => {
        for (;;) {
          const batch = await eventsStore.listSessionEvents(turn.sessionId, cursor, READ_BATCH);
          for (const event of batch) {
            cursor = event.sequence;
            if (event.type === 'session.aborted') controller.abort(new TurnAbortedError('The turn was aborted.'));
            const id = event.payload.permissionId ?? event.payload.requestId;
            if (typeof id !== 'string') continue;
            const key = `${event.type}:${id}`;
            const waiter = waiters.get(key);
            if (waiter) waiter(event);
            else answered.set(key, event);
          }
          if (batch.length < READ_BATCH) return;
        }
      }).catch((error: unknown) => logger.error({ err: error, sessionId: turn.sessionId }, 'runtime turn could not read its events'));
    };

    const waitFor = <T>(type: string, id: string, decide: (event: StoredSessionEvent) => T) =>
      new Promise<T>((resolve, reject) => {
        const key = `${type}:${id}`;
        const early = answered.get(key);
        if (early) return resolve(decide(early));
        const onAbort = () => reject(controller.signal.reason);
        if (controller.signal.aborted) return onAbort();
        controller.signal.addEventListener('abort', onAbort, { once: true });
        waiters.set(key, (event) => {
          waiters.delete(key);
          controller.signal.removeEventListener('abort', onAbort);
          resolve(decide(event));
        });
        catchUp();
      });

    const host: RuntimeHost = {
      signal: controller.signal,
      async emit(type, payload) {
        controller.signal.throwIfAborted();
        await events.append(turn.sessionId, [{ type, payload: { ...payload, commandId: payload.commandId ?? turn.commandId } }], { turnStartedAt: turn.startSequence });
      },
      waitForPermission: (permissionId) =>
        waitFor<PermissionDecision>('permission.resolved', permissionId, (event) => ({ allowed: event.payload.allowed === true })),
      waitForQuestion: (requestId) =>
        waitFor<QuestionDecision>('question.resolved', requestId, (event) => ({
          answers: Array.isArray(event.payload.answers) ? event.payload.answers : null,
          rejected: event.payload.rejected === true,
        })),
      sleep: (ms) =>
        new Promise<void>((resolve, reject) => {
          if (controller.signal.aborted) return reject(controller.signal.reason);
          const timer = setTimeout(() => {
            controller.signal.removeEventListener('abort', onAbort);
            resolve();
          }, ms);
          const onAbort = () => {
            clearTimeout(timer);
            reject(controller.signal.reason);
          };
          controller.signal.addEventListener('abort', onAbort, { once: true });
        }),
    };

    const unsubscribe = bus.onSession(turn.sessionId, catchUp);
    running.add(controller);
    try {
      catchUp();
      await adapter.runTurn(turn, host);
    } catch (error) {
      if (!(error instanceof TurnAbortedError) && !controller.signal.aborted) {
        logger.error({ err: error, sessionId: turn.sessionId }, 'runtime turn failed');
        await reportFailure(turn, 'The runtime failed while answering this prompt.');
      } else if (closing) {
        await reportFailure(turn, 'The server shut down before this turn finished.');
      }
    } finally {
      running.delete(controller);
      unsubscribe();
      await reading;
    }
  }

  /** Leaves the session idle with the reason in its errors, unless the turn was aborted. */
  async function reportFailure(turn: StartTurn, message: string): Promise<void> {
    try {
      await events.append(
        turn.sessionId,
        [
          { type: 'runtime.error', payload: { id: `${turn.commandId}:failure`, commandId: turn.commandId, message } },
          { type: 'session.idle', payload: {} },
        ],
        { turnStartedAt: turn.startSequence },
      );
    } catch (error) {
      if (!(error instanceof TurnAbortedError)) logger.error({ err: error, sessionId: turn.sessionId }, 'could not record a runtime failure');
    }
  }

  return {
    adapter,

    /** Queues a turn behind the session's running one; returns at once. */
    start(turn: StartTurn): void {
      const previous = queues.get(turn.sessionId) ?? Promise.resolve();
      // A prompt still queued at shutdown is answered with an error rather than silently dropped.
      const next = previous.then(() => (closing ? reportFailure(turn, 'The server shut down before this prompt was answered.') : runTurn(turn)));
      queues.set(turn.sessionId, next);
      void next.finally(() => {
        if (queues.get(turn.sessionId) === next) queues.delete(turn.sessionId);
      });
    },

    /** Stops running turns (each records why) and waits for them to settle. */
    async close(): Promise<void> {
      closing = true;
      for (const controller of running) controller.abort(new TurnAbortedError('The server is shutting down.'));
      await Promise.allSettled([...queues.values()]);
      await adapter.close?.();
    },
  };
}

export type RuntimeService = ReturnType<typeof createRuntimeService>;
