import {
  applySessionEvent,
  type CloudSessionProjectionView,
  type CloudSessionView,
  type CloudWorkspaceEvent,
  createEmptySessionProjectionView,
  isProjectedSessionEventType,
  type ProjectedSessionEventType,
  workspaceOperationForEventType,
} from '@open-cowork/shared';
import { newId } from '../ids.js';
import type { Db, Queryable } from '../store/db.js';
import type { EventsStore, StoredSessionEvent } from '../store/events.js';
import type { LockedSession, SessionsStore } from '../store/sessions.js';
import type { SequencedSource } from '../streams/sequenced.js';
import { type AppendNotice, EVENTS_CHANNEL, type EventBus } from './event-bus.js';
import { nameAfterFirstPrompt, type SessionCaller, sessionNotFound } from './sessions.js';

/** An event to append; the service assigns its sequence and time. */
export interface EventDraft {
  type: ProjectedSessionEventType;
  payload: Record<string, unknown>;
  /** Defaults to a fresh `evt_…` id. */
  eventId?: string;
}

export interface AppendResult {
  events: StoredSessionEvent[];
  view: CloudSessionView;
  /** Publish it (`publish`) once the transaction has committed. */
  notice: AppendNotice;
}

/** Thrown by an append guarded by `turnStartedAt` when the turn was aborted since. */
export class TurnAbortedError extends Error {
  override readonly name = 'TurnAbortedError';
}

export interface AppendOptions {
  /** Session sequence at which a runtime turn started: refuse the append if it was aborted since. */
  turnStartedAt?: number;
  /** Runs first, under the session row lock; throwing refuses the append (a runtime worker's lease fence). */
  check?: (tx: Queryable) => Promise<void>;
}

/** The reads an event stream replays and tails from (see `streams/sequenced.ts`). */
export type StreamReader = Pick<SequencedSource, 'read' | 'bounds'>;

const ARTIFACT_ID_KEYS = ['artifactId', 'cloudArtifactId', 'id'] as const;

/** The workspace mirror of a session event. */
function workspaceMirror(event: StoredSessionEvent, userId: string, sequence: number): CloudWorkspaceEvent {
  const isArtifact = event.type.startsWith('artifact.');
  const artifactId = ARTIFACT_ID_KEYS.map((key) => event.payload[key]).find((id) => typeof id === 'string') as string | undefined;
  return {
    tenantId: event.tenantId,
    userId,
    sessionId: event.sessionId,
    eventId: `${event.sessionId}:${event.eventId}`,
    sequence,
    entityType: isArtifact ? 'artifact' : 'session',
    entityId: isArtifact && artifactId ? artifactId : event.sessionId,
    operation: workspaceOperationForEventType(event.type),
    projectionVersion: event.sequence,
    type: event.type,
    payload: event.payload,
    createdAt: event.createdAt,
  };
}

/** Object-store keys never leave the server. */
function publicPayload(type: string, payload: Record<string, unknown>): Record<string, unknown> {
  if (!type.startsWith('artifact.') || !('key' in payload)) return payload;
  const { key: _key, ...rest } = payload;
  return rest;
}

/**
 * Appends session events. One transaction per append: the session row lock gives the next
 * sequences, each event is mirrored into the owner's workspace stream and folded into the
 * projection with the shared reducer; after the commit a NOTIFY wakes the readers. (A notice lost
 * to a crash right after the commit only delays readers: stream tails also re-read on every
 * heartbeat.)
 */
export function createEventService(deps: { db: Db; sessions: SessionsStore; events: EventsStore; bus?: EventBus }) {
  const { db, sessions, events, bus } = deps;

  /** Appends inside a transaction that already holds the session row lock (`sessions.lock`). */
  async function appendLocked(
    tx: Queryable,
    locked: LockedSession,
    drafts: readonly EventDraft[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    const { record } = locked;
    if (options.turnStartedAt !== undefined && locked.abortedSequence > options.turnStartedAt) {
      throw new TurnAbortedError(`Session ${record.sessionId} was aborted.`);
    }
    await options.check?.(tx);
    for (const draft of drafts) {
      if (!isProjectedSessionEventType(draft.type)) throw new Error(`Not a projected event type: ${draft.type}`);
    }
    const now = new Date().toISOString();
    const stored = await sessions.getProjection(tx, record.sessionId);
    let view: CloudSessionProjectionView = stored
      ? (stored.view as unknown as CloudSessionProjectionView)
      : createEmptySessionProjectionView(record.sessionId, { title: record.title, profileName: record.profileName });
    const firstWorkspaceSequence = await events.reserveWorkspaceSequences(tx, record.tenantId, record.userId, drafts.length);

    let sequence = locked.lastSequence;
    let abortedSequence = locked.abortedSequence;
    const appended: StoredSessionEvent[] = [];
    for (const [index, draft] of drafts.entries()) {
      sequence += 1;
      const event: StoredSessionEvent = {
        tenantId: record.tenantId,
        sessionId: record.sessionId,
        eventId: draft.eventId ?? newId('evt'),
        sequence,
        type: draft.type,
        payload: publicPayload(draft.type, draft.payload),
        createdAt: now,
      };
      await events.insertSessionEvent(tx, event);
      await events.insertWorkspaceEvent(tx, workspaceMirror(event, record.userId, firstWorkspaceSequence + index));
      view = applySessionEvent(view, event);
      if (event.type === 'session.aborted') abortedSequence = sequence;
      appended.push(event);
    }
    view = nameAfterFirstPrompt(view, appended);

    const session = { ...record, status: view.status, title: view.title, updatedAt: now };
    await sessions.saveCounters(tx, record.sessionId, {
      lastSequence: sequence,
      abortedSequence,
      status: session.status,
      title: session.title,
      updatedAt: now,
    });
    const projection = {
      tenantId: record.tenantId,
      sessionId: record.sessionId,
      sequence,
      view: view as unknown as Record<string, unknown>,
      updatedAt: now,
    };
    await sessions.saveProjection(tx, projection);
    const notice: AppendNotice = {
      sessionId: record.sessionId,
      sessionSequence: sequence,
      tenantId: record.tenantId,
      userId: record.userId,
      workspaceSequence: firstWorkspaceSequence + drafts.length - 1,
    };
    return { events: appended, view: { session, projection }, notice };
  }

  /**
   * Wakes the readers of an append through `q`: the pool once the append committed, or the
   * transaction that holds it (the NOTIFY then goes out on commit). With its `events`, this
   * process's stream tails take them without a read.
   */
  const publish = (q: Queryable, notice: AppendNotice, appended?: readonly StoredSessionEvent[]) => {
    if (appended) bus?.announce(notice, appended);
    return q.notify(EVENTS_CHANNEL, JSON.stringify(notice));
  };

  return {
    appendLocked,
    publish,

    /** What a stream of the caller's session reads, once the session is found to be theirs (else 404). */
    async sessionReader(caller: SessionCaller, sessionId: string): Promise<StreamReader> {
      if (!(await sessions.get(db, caller.tenantId, caller.userId, sessionId))) throw sessionNotFound();
      return {
        read: (after, limit) => events.listSessionEvents(db, sessionId, after, limit),
        bounds: () => events.sessionBounds(db, sessionId),
      };
    },

    /** What a stream of the caller's workspace reads. */
    workspaceReader: ({ tenantId, userId }: SessionCaller): StreamReader => ({
      read: (after, limit) => events.listWorkspaceEvents(db, tenantId, userId, after, limit),
      bounds: () => events.workspaceBounds(db, tenantId, userId),
    }),

    /** Appends to a session by id (runtime path). */
    async append(sessionId: string, drafts: readonly EventDraft[], options: AppendOptions = {}): Promise<AppendResult> {
      const result = await db.transaction(async (tx) => {
        const locked = await sessions.lock(tx, sessionId);
        if (!locked) throw new Error(`Session ${sessionId} does not exist.`);
        return appendLocked(tx, locked, drafts, options);
      });
      await publish(db, result.notice, result.events);
      return result;
    },
  };
}

export type EventService = ReturnType<typeof createEventService>;
