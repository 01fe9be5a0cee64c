import type { PermissionDecision, QuestionDecision, RuntimeAdapter, RuntimeHost, RuntimeTurn } from '../runtime/adapter.js';
import type { Db, Queryable } from '../store/db.js';
import type { EventsStore, StoredSessionEvent } from '../store/events.js';
import type { EventBus } from './event-bus.js';
import { type AppendOptions, type EventService, TurnAbortedError } from './events.js';

export interface StartTurn extends RuntimeTurn {
  /** Session sequence before the turn's `prompt.submitted`: an abort after it ends the turn. */
  startSequence: number;
}

export interface RunOptions {
  /** Stops the turn from outside (shutdown, lost lease): it ends as `stopped`, recording nothing. */
  stop: AbortSignal;
  /** Runs inside every append of the turn; throwing refuses it (see `AppendOptions.check`). */
  check?: AppendOptions['check'];
  /**
   * Runs inside the append of the turn's `session.idle` (its last event), after `check`: what
   * records the turn as done commits with that event, so no reader sees the turn ended while its
   * prompt still runs.
   */
  settle?: (tx: Queryable) => Promise<void>;
}

/**
 * How a turn ended: `completed` (the runtime returned), `aborted` (by the user), `failed` (the
 * runtime threw), `stopped` (from outside). `emitted` counts the events it appended; `settled`
 * says `options.settle` committed with its `session.idle`.
 */
export interface TurnResult {
  outcome: 'completed' | 'aborted' | 'failed' | 'stopped';
  emitted: number;
  settled: boolean;
}

interface Logger {
  error(details: object, message: string): void;
}

const READ_BATCH = 500;

/**
 * Runs one runtime turn for a worker (`services/workers.ts`, which decides what runs when and
 * records how it ended). A turn learns about aborts and answers by reading its session's events
 * after its prompt, woken by the event bus, so an abort or reply accepted by another server
 * process reaches it too. After an abort the event service refuses the turn's appends, so
 * nothing of it lands after `session.aborted`.
 */
export function createRuntimeService(deps: {
  db: Db;
  adapter: RuntimeAdapter;
  events: EventService;
  eventsStore: EventsStore;
  bus: EventBus;
  logger: Logger;
}) {
  const { db, adapter, events, eventsStore, bus, logger } = deps;

  async function run(turn: StartTurn, options: RunOptions): Promise<TurnResult> {
    const controller = new AbortController();
    const stop = () => controller.abort(options.stop.reason);
    if (options.stop.aborted) stop();
    else options.stop.addEventListener('abort', stop, { once: true });
    let emitted = 0;
    let settled = false;
    const waiters = new Map<string, (event: StoredSessionEvent) => void>();
    // Answers read before anyone waited for them (a fast reply can beat the turn's next step).
    const answered = new Map<string, StoredSessionEvent>();
    let cursor = turn.startSequence;
    let reading = Promise.resolve();

    // Serialised so a burst of wakes reads each event once.
    const catchUp = () => {
      reading = reading
        .then(async () => {
          for (;;) {
            const batch = await eventsStore.listSessionEvents(db, turn.sessionId, cursor, READ_BATCH);
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
        })
        .catch((error: unknown) => logger.error({ err: error, sessionId: turn.sessionId }, 'runtime turn could not read its events'));
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
        const drafts = [{ type, payload: { ...payload, commandId: payload.commandId ?? turn.commandId } }];
        const { check, settle } = options;
        const last = type === 'session.idle' && settle !== undefined;
        const guard = last
          ? async (tx: Queryable) => {
              await check?.(tx);
              await settle(tx);
            }
          : check;
        await events.append(turn.sessionId, drafts, { turnStartedAt: turn.startSequence, check: guard });
        emitted += 1;
        if (last) settled = true;
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
    try {
      catchUp();
      await adapter.runTurn(turn, host);
      return { outcome: controller.signal.aborted && !options.stop.aborted ? 'aborted' : 'completed', emitted, settled };
    } catch (error) {
      if (options.stop.aborted) return { outcome: 'stopped', emitted, settled };
      if (error instanceof TurnAbortedError || controller.signal.aborted) return { outcome: 'aborted', emitted, settled };
      logger.error({ err: error, sessionId: turn.sessionId }, 'runtime turn failed');
      return { outcome: 'failed', emitted, settled };
    } finally {
      options.stop.removeEventListener('abort', stop);
      unsubscribe();
      await reading;
    }
  }

  return {
    adapter,
    run,
    /** Stops what the runtime itself runs (an OpenCode server), once the workers have drained. */
    close: async () => adapter.close?.(),
  };
}

export type RuntimeService = ReturnType<typeof createRuntimeService>;
