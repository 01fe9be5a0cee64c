import type { SessionCommandKind, SessionCommandRecord, SessionCommandStatus } from '@open-cowork/shared';
import type { Queryable } from './db.js';
import { int, iso, isoOrNull, json } from './rows.js';

/** The NOTIFY channel that wakes runtime workers: a command was queued or a lease was handed back. */
export const COMMANDS_CHANNEL = 'open_cowork_commands';

export interface NewSessionCommand {
  commandId: string;
  tenantId: string;
  userId: string;
  sessionId: string;
  kind: SessionCommandKind;
  payload: Record<string, unknown>;
  status: SessionCommandStatus;
  /** Session sequence when the command was accepted (its first event comes right after). */
  createdSequence: number;
  createdAt: string;
  ackedAt: string | null;
}

/** A session lease a worker holds: `token` changes with every claim and fences the holder's writes. */
export interface SessionLease {
  sessionId: string;
  token: string;
}

/** How a command ended, and why when it failed. */
export interface CommandOutcome {
  status: 'acked' | 'failed';
  code?: string;
  message?: string;
}

export interface RuntimeQueueStatus {
  workers: { workerId: string; startedAt: string; heartbeatAt: string; leases: number }[];
  leasesHeld: number;
  queue: { pending: number; running: number };
}

function toCommand(row: Record<string, unknown>): SessionCommandRecord {
  const createdAt = iso(row.created_at);
  const error = (row.error as string | null) ?? null;
  return {
    commandId: String(row.command_id),
    tenantId: String(row.tenant_id),
    userId: String(row.user_id),
    sessionId: String(row.session_id),
    kind: row.kind as SessionCommandKind,
    payload: row.payload as Record<string, unknown>,
    // Commands are not addressed to a particular lease: whichever worker holds the session runs them.
    targetLeaseToken: null,
    createdSequence: int(row.created_sequence),
    createdAt,
    status: row.status as SessionCommandStatus,
    claimedBy: (row.claimed_by as string | null) ?? null,
    claimedLeaseToken: (row.claimed_lease_token as string | null) ?? null,
    ackedAt: isoOrNull(row.acked_at),
    error,
    attemptCount: int(row.attempt_count),
    availableAt: isoOrNull(row.available_at) ?? createdAt,
    lastErrorCode: (row.last_error_code as string | null) ?? null,
    lastErrorSummary: error,
  };
}

const QUEUED = `status IN ('pending', 'running')`;
const lasting = (ms: number) => `now() + ${Math.round(ms)} * interval '1 millisecond'`;

/**
 * Session commands and the durable queue of prompts: per-session leases that runtime workers
 * claim with `FOR UPDATE SKIP LOCKED`, renew while a turn runs, and hand back when the queue is
 * empty. Time is the database's (`now()`), so replicas with skewed clocks agree on expiry.
 */
export function createCommandsStore() {
  return {
    /** Records a command; a pending one also makes its session claimable (same transaction). */
    async insert(tx: Queryable, command: NewSessionCommand): Promise<SessionCommandRecord> {
      const { rows } = await tx.query(
        `INSERT INTO session_commands (command_id, tenant_id, user_id, session_id, kind, payload, status,
           created_sequence, attempt_count, created_at, acked_at, available_at)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $11, $9, $10, $9) RETURNING *`,
        [
          command.commandId,
          command.tenantId,
          command.userId,
          command.sessionId,
          command.kind,
          json(command.payload),
          command.status,
          command.createdSequence,
          command.createdAt,
          command.ackedAt,
          // A command settled in its request ran once; a queued one counts its runs from 0.
          command.status === 'pending' ? 0 : 1,
        ],
      );
      if (command.status === 'pending') {
        await tx.query('INSERT INTO session_leases (session_id) VALUES ($1) ON CONFLICT (session_id) DO NOTHING', [command.sessionId]);
      }
      return toCommand(rows[0]!);
    },

    /** Takes up to `limit` free or expired leases of sessions with queued work. */
    async claimSessions(q: Queryable, workerId: string, leaseMs: number, limit: number): Promise<SessionLease[]> {
      const { rows } = await q.query<{ session_id: string; lease_token: string }>(
        `WITH free AS (
           SELECT l.session_id FROM session_leases l
           WHERE (l.worker_id IS NULL OR l.expires_at <= now())
             AND EXISTS (SELECT 1 FROM session_commands c WHERE c.session_id = l.session_id AND c.${QUEUED} AND c.available_at <= now())
           ORDER BY l.expires_at NULLS FIRST LIMIT $2
           FOR UPDATE OF l SKIP LOCKED)
         UPDATE session_leases l SET worker_id = $1, lease_token = gen_random_uuid()::text,
           expires_at = ${lasting(leaseMs)}, acquired_at = now()
         FROM free WHERE l.session_id = free.session_id
         RETURNING l.session_id, l.lease_token`,
        [workerId, limit],
      );
      return rows.map((row) => ({ sessionId: row.session_id, token: row.lease_token }));
    },

    /** Extends every lease the worker still holds and its heartbeat; returns the tokens kept. */
    async renewLeases(q: Queryable, workerId: string, leaseMs: number): Promise<Set<string>> {
      await q.query('UPDATE runtime_workers SET heartbeat_at = now() WHERE worker_id = $1', [workerId]);
      const { rows } = await q.query<{ lease_token: string }>(
        `UPDATE session_leases SET expires_at = ${lasting(leaseMs)} WHERE worker_id = $1 RETURNING lease_token`,
        [workerId],
      );
      return new Set(rows.map((row) => row.lease_token));
    },

    /** True while `lease` is still the session's lease: the fence of the holder's writes. */
    async holds(tx: Queryable, lease: SessionLease): Promise<boolean> {
      const { rows } = await tx.query('SELECT 1 FROM session_leases WHERE session_id = $1 AND lease_token = $2', [
        lease.sessionId,
        lease.token,
      ]);
      return rows.length > 0;
    },

    /**
     * Hands the lease back. Unless `force`, only when no work is queued, atomically, so a prompt
     * queued meanwhile is never stranded behind a released lease; false when work remains.
     */
    async release(q: Queryable, lease: SessionLease, force = false): Promise<boolean> {
      const { rowCount } = await q.query(
        `UPDATE session_leases SET worker_id = NULL, lease_token = NULL, expires_at = NULL
         WHERE session_id = $1 AND lease_token = $2
           ${force ? '' : `AND NOT EXISTS (SELECT 1 FROM session_commands c WHERE c.session_id = $1 AND c.${QUEUED})`}`,
        [lease.sessionId, lease.token],
      );
      return rowCount > 0 || !(await this.holds(q, lease));
    },

    /** Frees every lease: only for a store that this process owns alone (the embedded one, at start). */
    async releaseAll(q: Queryable): Promise<void> {
      await q.query('UPDATE session_leases SET worker_id = NULL, lease_token = NULL, expires_at = NULL WHERE worker_id IS NOT NULL');
    },

    /** The session's queued prompts, oldest first. */
    async queued(tx: Queryable, sessionId: string): Promise<SessionCommandRecord[]> {
      const { rows } = await tx.query(
        `SELECT * FROM session_commands WHERE session_id = $1 AND ${QUEUED} AND available_at <= now() ORDER BY created_sequence`,
        [sessionId],
      );
      return rows.map(toCommand);
    },

    /** Claims a pending (or abandoned) command for a run: one more attempt. */
    async markRunning(tx: Queryable, commandId: string, workerId: string, lease: SessionLease): Promise<SessionCommandRecord> {
      const { rows } = await tx.query(
        `UPDATE session_commands SET status = 'running', claimed_by = $2, claimed_lease_token = $3, attempt_count = attempt_count + 1
         WHERE command_id = $1 RETURNING *`,
        [commandId, workerId, lease.token],
      );
      return toCommand(rows[0]!);
    },

    async settle(tx: Queryable, commandId: string, outcome: CommandOutcome): Promise<void> {
      await tx.query(
        `UPDATE session_commands SET status = $2, acked_at = CASE WHEN $2 = 'acked' THEN now() ELSE acked_at END,
           last_error_code = $3, error = $4 WHERE command_id = $1`,
        [commandId, outcome.status, outcome.code ?? null, outcome.message ?? null],
      );
    },

    /** The event types a prompt's turn appended (everything after its `prompt.submitted` that names it). */
    async turnEventTypes(tx: Queryable, command: SessionCommandRecord): Promise<string[]> {
      const { rows } = await tx.query<{ type: string }>(
        `SELECT type FROM session_events WHERE session_id = $1 AND sequence > $2 + 1 AND payload->>'commandId' = $3 ORDER BY sequence`,
        [command.sessionId, command.createdSequence, command.commandId],
      );
      return rows.map((row) => row.type);
    },

    async registerWorker(q: Queryable, workerId: string): Promise<void> {
      await q.query('INSERT INTO runtime_workers (worker_id, started_at, heartbeat_at) VALUES ($1, now(), now())', [workerId]);
    },

    async unregisterWorker(q: Queryable, workerId: string, staleAfterMs: number): Promise<void> {
      // Rows of workers that died are swept by the next one to stop.
      await q.query(
        `DELETE FROM runtime_workers WHERE worker_id = $1 OR heartbeat_at < now() - ${Math.round(staleAfterMs)} * interval '1 millisecond'`,
        [workerId],
      );
    },

    /** Workers heard from within `liveMs`, the leases they hold, and the queue depth. */
    async status(q: Queryable, liveMs: number): Promise<RuntimeQueueStatus> {
      const workers = await q.query(
        `SELECT w.worker_id, w.started_at, w.heartbeat_at,
           (SELECT count(*) FROM session_leases l WHERE l.worker_id = w.worker_id AND l.expires_at > now()) AS leases
         FROM runtime_workers w WHERE w.heartbeat_at > now() - ${Math.round(liveMs)} * interval '1 millisecond' ORDER BY w.started_at`,
      );
      const counts = await q.query(
        `SELECT (SELECT count(*) FROM session_leases WHERE worker_id IS NOT NULL AND expires_at > now()) AS leases,
           (SELECT count(*) FROM session_commands WHERE status = 'pending') AS pending,
           (SELECT count(*) FROM session_commands WHERE status = 'running') AS running`,
      );
      const row = counts.rows[0]!;
      return {
        workers: workers.rows.map((worker) => ({
          workerId: String(worker.worker_id),
          startedAt: iso(worker.started_at),
          heartbeatAt: iso(worker.heartbeat_at),
          leases: int(worker.leases),
        })),
        leasesHeld: int(row.leases),
        queue: { pending: int(row.pending), running: int(row.running) },
      };
    },
  };
}

export type CommandsStore = ReturnType<typeof createCommandsStore>;
