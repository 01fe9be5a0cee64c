import type { SessionCommandRecord } from '@open-cowork/shared';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { httpError } from '../errors.js';
import { newId } from '../ids.js';
import { COMMANDS_CHANNEL, type CommandOutcome, type CommandsStore, type SessionLease } from '../store/commands.js';
import type { Db, Queryable } from '../store/db.js';
import type { LockedSession, SessionsStore } from '../store/sessions.js';
import type { AppendNotice } from './event-bus.js';
import { type EventDraft, type EventService, TurnAbortedError } from './events.js';
import type { RuntimeService } from './runtime.js';

export interface LeaseSettings {
  /** How long a lease lasts without renewal: a dead worker's sessions are free again after it. */
  durationMs: number;
  /** How often a worker renews its leases, and polls for work in case a NOTIFY was missed. */
  renewEveryMs: number;
}

interface Logger {
  error(details: object, message: string): void;
  warn(details: object, message: string): void;
}

/** A prompt that never got as far as an event is run again at most this many times in all. */
const MAX_ATTEMPTS = 3;
/** Sessions one worker runs at once. */
const MAX_SESSIONS = 32;

class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}
class ShutdownError extends Error {
  override readonly name = 'ShutdownError';
}

interface Held {
  lease: SessionLease;
  /** Aborted with a LeaseLostError or a ShutdownError. */
  stop: AbortController;
  done: Promise<void>;
}

const failure = (command: SessionCommandRecord, code: string, message: string): EventDraft => ({
  type: 'runtime.error',
  payload: { id: `${command.commandId}:${code}`, commandId: command.commandId, code, message },
});
const idle = (command: SessionCommandRecord): EventDraft => ({ type: 'session.idle', payload: { commandId: command.commandId } });

/**
 * A runtime worker: claims per-session leases, runs each session's queued prompts one at a time
 * in order, and settles every command it takes (`acked` or `failed`, never dropped).
 *
 * - Woken by a NOTIFY on `COMMANDS_CHANNEL`; polls every `renewEveryMs` as a fallback.
 * - Renews its leases while turns run; a lease it fails to keep stops the turn without writing
 *   (every append of a turn checks the lease token, so a replaced holder cannot write).
 * - On taking a session over from a dead worker it recovers the command that was running: a
 *   prompt that had produced no event is run again (bounded by MAX_ATTEMPTS); a turn that had
 *   started is closed with `runtime.error` (`runtime.interrupted`) and `session.idle`.
 * - An abort stops the running turn and cancels the prompts accepted before it: each gets a
 *   `runtime.error` (`runtime.cancelled`) and its command fails.
 * - `close()` lets running turns finish (up to one lease period), then hands the leases back and
 *   wakes the other workers, so they take over at once.
 */
function createWorkerService(deps: {
  db: Db;
  commands: CommandsStore;
  sessions: SessionsStore;
  events: EventService;
  runtime: RuntimeService;
  lease: LeaseSettings;
  logger: Logger;
}) {
  const { db, commands, sessions, events, runtime, logger } = deps;
  const { durationMs, renewEveryMs } = deps.lease;
  const workerId = newId('wrk');
  const held = new Map<string, Held>();
  let claiming: Promise<void> | null = null;
  let claimAgain = false;
  let closing = false;
  let timer: NodeJS.Timeout | null = null;
  let unlisten: (() => Promise<void>) | null = null;

  /** One transaction under the session row lock and the lease fence; publishes its events after commit. */
  async function underLease<T>(
    lease: SessionLease,
    work: (tx: Queryable, locked: LockedSession, append: (drafts: EventDraft[]) => void) => Promise<T>,
  ): Promise<T | 'lost'> {
    const drafts: EventDraft[] = [];
    const outcome = await db.transaction(async (tx) => {
      const locked = await sessions.lock(tx, lease.sessionId);
      if (!locked || !(await commands.holds(tx, lease))) return { result: 'lost' as const, notice: null };
      const result = await work(tx, locked, (more) => drafts.push(...more));
      const notice: AppendNotice | null = drafts.length > 0 ? (await events.appendLocked(tx, locked, drafts)).notice : null;
      return { result, notice };
    });
    if (outcome.notice) await events.publish(db, outcome.notice);
    return outcome.result;
  }

  /**
   * Settles what a dead holder left running and what an abort cancelled, then claims the next
   * prompt to run; null when the queue is empty.
   */
  const takeNext = (lease: SessionLease) =>
    underLease(lease, async (tx, locked, append) => {
      for (const command of await commands.queued(tx, lease.sessionId)) {
        const settle = (outcome: CommandOutcome, drafts: EventDraft[] = []) => {
          append(drafts);
          return commands.settle(tx, command.commandId, outcome);
        };
        const aborted = locked.abortedSequence > command.createdSequence;
        if (command.status === 'running') {
          const produced = await commands.turnEventTypes(tx, command);
          if (produced.includes('session.idle')) {
            // The turn ended, but its acknowledgement did not commit with its `session.idle`: a
            // store written before they were one commit.
            await settle({ status: 'acked' });
            continue;
          }
          if (produced.length > 0 && aborted) {
            // `session.aborted` already ended this turn in the session's events.
            await settle({ status: 'failed', code: 'runtime.cancelled', message: 'The turn was aborted.' });
            continue;
          }
          if (produced.length > 0) {
            const message = 'The runtime worker running this turn stopped before it finished.';
            await settle({ status: 'failed', code: 'runtime.interrupted', message }, [
              failure(command, 'runtime.interrupted', message),
              idle(command),
            ]);
            continue;
          }
          if (command.attemptCount >= MAX_ATTEMPTS && !aborted) {
            const message = `The runtime worker stopped ${command.attemptCount} times before this prompt produced anything.`;
            await settle({ status: 'failed', code: 'runtime.attempts_exhausted', message }, [
              failure(command, 'runtime.attempts_exhausted', message),
              idle(command),
            ]);
            continue;
          }
        }
        if (aborted) {
          const message = 'An abort cancelled this prompt before it ran.';
          await settle({ status: 'failed', code: 'runtime.cancelled', message }, [failure(command, 'runtime.cancelled', message)]);
          continue;
        }
        return commands.markRunning(tx, command.commandId, workerId, lease);
      }
      return null;
    });

  /** Runs one claimed prompt and settles its command; returns false when the lease was lost. */
  async function runCommand(entry: Held, command: SessionCommandRecord): Promise<boolean> {
    const { lease, stop } = entry;
    const check = async (tx: Queryable) => {
      if (await commands.holds(tx, lease)) return;
      const lost = new LeaseLostError(`The lease of session ${lease.sessionId} was taken over.`);
      stop.abort(lost);
      throw lost;
    };
    const turn = {
      tenantId: command.tenantId,
      userId: command.userId,
      sessionId: command.sessionId,
      commandId: command.commandId,
      text: String(command.payload.text),
      agent: typeof command.payload.agent === 'string' ? command.payload.agent : null,
      startSequence: command.createdSequence,
    };
    // A turn that reaches its `session.idle` is acknowledged in the same commit.
    const settle = (tx: Queryable) => commands.settle(tx, command.commandId, { status: 'acked' });
    const { outcome, emitted, settled: acknowledged } = await runtime.run(turn, { stop: stop.signal, check, settle });
    if (outcome === 'stopped' && stop.signal.reason instanceof LeaseLostError) return false;
    if (acknowledged) return true;

    const settled = await underLease(lease, async (tx, locked, append) => {
      const abortedSinceStart = locked.abortedSequence > command.createdSequence;
      let result: CommandOutcome = { status: 'acked' };
      if (outcome === 'aborted' || (outcome !== 'completed' && abortedSinceStart)) {
        result = { status: 'failed', code: 'runtime.cancelled', message: 'The turn was aborted.' };
        // `session.aborted` ends a turn that had started; one that had not says it was cancelled.
        if (emitted === 0) append([failure(command, 'runtime.cancelled', 'An abort cancelled this prompt before it ran.')]);
      } else if (outcome === 'failed') {
        result = { status: 'failed', code: 'runtime.failed', message: 'The runtime failed while answering this prompt.' };
        append([failure(command, 'runtime.failed', result.message!), idle(command)]);
      } else if (outcome === 'stopped') {
        result = { status: 'failed', code: 'runtime.interrupted', message: 'The server shut down before this turn finished.' };
        append([failure(command, 'runtime.interrupted', result.message!), idle(command)]);
      }
      await commands.settle(tx, command.commandId, result);
    });
    return settled !== 'lost';
  }

  /** Runs a session's queue while holding its lease, then hands the lease back. */
  async function drive(entry: Held): Promise<void> {
    const { lease, stop } = entry;
    let release = false;
    try {
      while (!stop.signal.aborted && !closing) {
        const next = await takeNext(lease);
        if (next === 'lost') return;
        if (next === null) {
          if (await commands.release(db, lease)) return;
          continue;
        }
        if (!(await runCommand(entry, next))) return;
      }
      release = !(stop.signal.reason instanceof LeaseLostError);
    } catch (error) {
      if (error instanceof TurnAbortedError || error instanceof LeaseLostError) return;
      logger.error({ err: error, sessionId: lease.sessionId }, 'runtime worker failed on a session');
      release = true;
    } finally {
      if (release) {
        await commands
          .release(db, lease, true)
          .catch((error: unknown) => logger.warn({ err: error }, 'could not hand a session lease back'));
        // Another worker (this one is stopping, or met an error) takes the session over at once.
        if (closing) await db.notify(COMMANDS_CHANNEL, lease.sessionId).catch(() => undefined);
      }
    }
  }

  async function claim(): Promise<void> {
    const room = MAX_SESSIONS - held.size;
    if (room <= 0 || closing) return;
    for (const lease of await commands.claimSessions(db, workerId, durationMs, room)) {
      const entry: Held = { lease, stop: new AbortController(), done: Promise.resolve() };
      held.set(lease.sessionId, entry);
      entry.done = drive(entry).finally(() => {
        held.delete(lease.sessionId);
        // A slot is free again: sessions left waiting for one are claimed now.
        if (held.size === MAX_SESSIONS - 1) wake();
      });
    }
  }

  function wake(): void {
    if (closing) return;
    if (claiming) {
      claimAgain = true;
      return;
    }
    claiming = (async () => {
      do {
        claimAgain = false;
        await claim();
      } while (claimAgain && !closing);
    })()
      .catch((error: unknown) => logger.error({ err: error }, 'runtime worker could not claim sessions'))
      .finally(() => {
        claiming = null;
      });
  }

  async function renew(): Promise<void> {
    const before = [...held.values()];
    try {
      const kept = await commands.renewLeases(db, workerId, durationMs);
      for (const entry of before) {
        if (!kept.has(entry.lease.token)) entry.stop.abort(new LeaseLostError(`The lease of session ${entry.lease.sessionId} expired.`));
      }
    } catch (error) {
      logger.warn({ err: error }, 'runtime worker could not renew its leases');
    }
  }

  return {
    workerId,

    async start(): Promise<void> {
      await commands.registerWorker(db, workerId);
      // The embedded store has a single owner (its lock file): leases found at start are a dead process's.
      if (db.engine === 'pglite') await commands.releaseAll(db);
      // After a lost database connection, notices sent meanwhile are gone: look for work once.
      unlisten = await db.listen(COMMANDS_CHANNEL, wake, wake);
      timer = setInterval(() => {
        void renew().then(wake);
      }, renewEveryMs);
      wake();
    },

    /** Stops claiming: each session's running turn is its last here. */
    async stopClaiming(): Promise<void> {
      closing = true;
      await unlisten?.().catch(() => undefined);
      unlisten = null;
      await claiming;
    },

    /** Stops claiming, lets running turns finish (stopping them after one lease period), hands the leases back. */
    async close(): Promise<void> {
      await this.stopClaiming();
      const running = [...held.values()];
      const deadline = setTimeout(() => {
        for (const entry of running) entry.stop.abort(new ShutdownError('The server is shutting down.'));
      }, durationMs);
      await Promise.allSettled(running.map((entry) => entry.done));
      clearTimeout(deadline);
      if (timer) clearInterval(timer);
      await commands
        .unregisterWorker(db, workerId, durationMs * 10)
        .catch((error: unknown) => logger.warn({ err: error }, 'could not unregister the runtime worker'));
    },
  };
}

type WorkerService = ReturnType<typeof createWorkerService>;

declare module 'fastify' {
  interface FastifyInstance {
    /** This process's runtime worker; null in the `api` role. */
    runtimeWorker: WorkerService | null;
  }
}

/** What a `worker`-role process still answers over HTTP. */
const WORKER_ROLE_ROUTES = new Set(['/livez', '/readyz', '/api/runtime/status']);

/**
 * Runs this process's runtime worker (roles `all` and `worker`): started when the app is ready,
 * stops claiming when closing starts, and is drained before the event bus and the store close
 * (onClose hooks run in reverse order).
 */
async function runtimeWorkersPlugin(app: FastifyInstance) {
  const { config } = app;
  if (config.role === 'worker') {
    app.addHook('onRequest', async (request) => {
      if (!WORKER_ROLE_ROUTES.has(request.url.split('?')[0]!)) {
        throw httpError('route.not_found', 'This process runs runtime workers only (--role worker); send API requests to an api process.');
      }
    });
  }
  const worker =
    config.role === 'api'
      ? null
      : createWorkerService({
          db: app.db,
          commands: app.stores.commands,
          sessions: app.stores.sessions,
          events: app.sessionEvents,
          runtime: app.runtime,
          lease: config.lease,
          logger: app.log,
        });
  app.decorate('runtimeWorker', worker);
  if (!worker) return;
  app.addHook('onReady', () => worker.start());
  // Claiming stops as soon as closing starts; the drain waits until in-flight requests are done.
  app.addHook('preClose', () => worker.stopClaiming());
  app.addHook('onClose', async () => {
    await worker.close();
    await app.runtime.close();
  });
}

export const runtimeWorkers = fp(runtimeWorkersPlugin, { name: 'runtime-workers', dependencies: ['store', 'session-services'] });
