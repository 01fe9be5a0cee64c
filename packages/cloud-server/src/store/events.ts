import type { CloudSessionEvent, CloudWorkspaceEvent } from '@open-cowork/shared';
import type { Queryable } from './db.js';
import { int, iso, json } from './rows.js';

/** A session event as stored and sent: every optional field of the wire type is present. */
export type StoredSessionEvent = CloudSessionEvent & { tenantId: string; sessionId: string; createdAt: string };

/** Oldest and newest retained sequence of a stream; `earliest` is null when nothing is retained. */
export interface SequenceBounds {
  earliest: number | null;
  latest: number;
}

function toSessionEvent(row: Record<string, unknown>): StoredSessionEvent {
  return {
    tenantId: String(row.tenant_id),
    sessionId: String(row.session_id),
    eventId: String(row.event_id),
    sequence: int(row.sequence),
    type: String(row.type),
    payload: row.payload as Record<string, unknown>,
    createdAt: iso(row.created_at),
  };
}

function toWorkspaceEvent(row: Record<string, unknown>): CloudWorkspaceEvent {
  return {
    tenantId: String(row.tenant_id),
    userId: String(row.user_id),
    sessionId: (row.session_id as string | null) ?? null,
    eventId: String(row.event_id),
    sequence: int(row.sequence),
    entityType: row.entity_type as CloudWorkspaceEvent['entityType'],
    entityId: String(row.entity_id),
    operation: row.operation as CloudWorkspaceEvent['operation'],
    projectionVersion: int(row.projection_version),
    type: String(row.type),
    payload: row.payload as Record<string, unknown>,
    createdAt: iso(row.created_at),
  };
}

function toBounds(row: Record<string, unknown> | undefined): SequenceBounds {
  return { earliest: row?.earliest == null ? null : int(row.earliest), latest: int(row?.latest ?? 0) };
}

export function createEventsStore() {
  return {
    async insertSessionEvent(tx: Queryable, event: StoredSessionEvent): Promise<void> {
      await tx.query(
        `INSERT INTO session_events (session_id, sequence, event_id, tenant_id, type, payload, created_at)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)`,
        [event.sessionId, event.sequence, event.eventId, event.tenantId, event.type, json(event.payload), event.createdAt],
      );
    },

    /**
     * Takes `count` sequences of a user's workspace stream and returns the first. The upsert holds
     * the cursor row lock until commit, which serialises appenders exactly like the session row.
     */
    async reserveWorkspaceSequences(tx: Queryable, tenantId: string, userId: string, count: number): Promise<number> {
      const { rows } = await tx.query<{ last_sequence: unknown }>(
        `INSERT INTO workspace_cursors (tenant_id, user_id, last_sequence) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id, user_id) DO UPDATE SET last_sequence = workspace_cursors.last_sequence + EXCLUDED.last_sequence
         RETURNING last_sequence`,
        [tenantId, userId, count],
      );
      return int(rows[0]!.last_sequence) - count + 1;
    },

    async insertWorkspaceEvent(tx: Queryable, event: CloudWorkspaceEvent): Promise<void> {
      await tx.query(
        `INSERT INTO workspace_events (tenant_id, user_id, sequence, event_id, session_id, entity_type, entity_id,
           operation, projection_version, type, payload, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12)`,
        [
          event.tenantId,
          event.userId,
          event.sequence,
          event.eventId,
          event.sessionId,
          event.entityType,
          event.entityId,
          event.operation,
          event.projectionVersion,
          event.type,
          json(event.payload),
          event.createdAt,
        ],
      );
    },

    /** Keyset read: up to `limit` events with `sequence > after`, in order. */
    async listSessionEvents(q: Queryable, sessionId: string, after: number, limit: number): Promise<StoredSessionEvent[]> {
      const { rows } = await q.query(
        `SELECT session_id, sequence, event_id, tenant_id, type, payload, created_at FROM session_events
         WHERE session_id = $1 AND sequence > $2 ORDER BY sequence LIMIT $3`,
        [sessionId, after, limit],
      );
      return rows.map(toSessionEvent);
    },

    async listWorkspaceEvents(
      q: Queryable,
      tenantId: string,
      userId: string,
      after: number,
      limit: number,
    ): Promise<CloudWorkspaceEvent[]> {
      const { rows } = await q.query(
        `SELECT * FROM workspace_events WHERE tenant_id = $1 AND user_id = $2 AND sequence > $3 ORDER BY sequence LIMIT $4`,
        [tenantId, userId, after, limit],
      );
      return rows.map(toWorkspaceEvent);
    },

    async sessionBounds(q: Queryable, sessionId: string): Promise<SequenceBounds> {
      const { rows } = await q.query(
        `SELECT min(e.sequence) AS earliest, s.last_sequence AS latest FROM sessions s
         LEFT JOIN session_events e ON e.session_id = s.session_id WHERE s.session_id = $1 GROUP BY s.last_sequence`,
        [sessionId],
      );
      return toBounds(rows[0]);
    },

    async workspaceBounds(q: Queryable, tenantId: string, userId: string): Promise<SequenceBounds> {
      const { rows } = await q.query(
        `SELECT c.last_sequence AS latest, (SELECT min(sequence) FROM workspace_events e
           WHERE e.tenant_id = c.tenant_id AND e.user_id = c.user_id) AS earliest
         FROM workspace_cursors c WHERE c.tenant_id = $1 AND c.user_id = $2`,
        [tenantId, userId],
      );
      return toBounds(rows[0]);
    },

    /**
     * Retention: deletes session and workspace events created before `cutoff` (ISO). Sequence
     * counters live on their own rows, so pruning never lets a sequence be reused; streams whose
     * cursor falls before the oldest retained event answer `snapshot.required`. The two deletes
     * need no common transaction: each leaves the streams consistent.
     */
    async pruneEventsBefore(q: Queryable, cutoff: string): Promise<{ sessionEvents: number; workspaceEvents: number }> {
      const sessionEvents = await q.query('DELETE FROM session_events WHERE created_at < $1', [cutoff]);
      const workspaceEvents = await q.query('DELETE FROM workspace_events WHERE created_at < $1', [cutoff]);
      return { sessionEvents: sessionEvents.rowCount, workspaceEvents: workspaceEvents.rowCount };
    },
  };
}

export type EventsStore = ReturnType<typeof createEventsStore>;
