import type {
  WorkflowDetail,
  WorkflowRun,
  WorkflowRunStatus,
  WorkflowStatus,
  WorkflowSummary,
  WorkflowTrigger,
  WorkflowTriggerType,
} from '@open-cowork/shared';
import type { Queryable } from './db.js';
import { int, iso, isoOrNull, json } from './rows.js';

/** A workflow row with what the service needs beyond the wire record. */
export interface WorkflowRecord extends WorkflowDetail {
  /** Sealed webhook secrets by trigger id (never sent). */
  sealedSecrets: Map<string, string>;
}

export interface NewTrigger {
  triggerId: string;
  type: WorkflowTriggerType;
  cron: string | null;
  nextRunAt: string | null;
  sealedSecret: string | null;
}

export interface NewWorkflow {
  workflowId: string;
  tenantId: string;
  userId: string;
  name: string;
  description: string | null;
  prompt: string;
  profileName: string;
  triggers: NewTrigger[];
  now: string;
}

export interface NewRun {
  runId: string;
  workflowId: string;
  tenantId: string;
  triggerType: WorkflowTriggerType;
  triggerPayload: Record<string, unknown> | null;
  now: string;
}

/** Keyset position of the workflow list: `updatedAt` descending, then `workflowId` ascending. */
export interface WorkflowListPosition {
  updatedAt: string;
  workflowId: string;
}

/** A schedule trigger that is due, with its workflow's owner. */
export interface DueTrigger {
  triggerId: string;
  workflowId: string;
  cron: string;
  nextRunAt: string;
}

const WORKFLOW_COLUMNS = `w.workflow_id, w.tenant_id, w.user_id, w.name, w.description, w.prompt, w.profile_name, w.status,
  w.last_run_at, w.created_at, w.updated_at`;
const TRIGGER_COLUMNS = 'trigger_id, workflow_id, type, cron, next_run_at, webhook_secret_sealed, created_at, updated_at';
// A run reports how its session went: a session that errored failed the run, one that went idle
// again after the run's prompt completed it.
const RUN_COLUMNS = `r.run_id, r.workflow_id, r.tenant_id, r.session_id, r.prompt_sequence, r.trigger_type, r.trigger_payload,
  r.status, r.error, r.created_at, r.started_at, r.finished_at, r.updated_at,
  s.status AS session_status, s.last_sequence AS session_sequence, s.updated_at AS session_updated_at`;

function toTrigger(row: Record<string, unknown>): WorkflowTrigger {
  return {
    triggerId: String(row.trigger_id),
    type: row.type as WorkflowTriggerType,
    cron: (row.cron as string | null) ?? null,
    nextRunAt: isoOrNull(row.next_run_at),
    webhookSecretConfigured: row.webhook_secret_sealed != null,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

function toSummary(row: Record<string, unknown>, triggers: WorkflowTrigger[]): WorkflowSummary {
  const status = row.status as WorkflowStatus;
  const due = triggers
    .map((trigger) => trigger.nextRunAt)
    .filter((at): at is string => at !== null)
    .sort();
  return {
    tenantId: String(row.tenant_id),
    userId: String(row.user_id),
    workflowId: String(row.workflow_id),
    name: String(row.name),
    description: (row.description as string | null) ?? null,
    status,
    profileName: String(row.profile_name),
    triggerTypes: [...new Set(triggers.map((trigger) => trigger.type))],
    lastRunAt: isoOrNull(row.last_run_at),
    // Only an active workflow is going to run on schedule.
    nextRunAt: status === 'active' ? (due[0] ?? null) : null,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

function toRun(row: Record<string, unknown>): WorkflowRun {
  let status = row.status as WorkflowRunStatus;
  let finishedAt = isoOrNull(row.finished_at);
  if (status === 'running' && row.session_status != null) {
    if (row.session_status === 'errored') status = 'failed';
    else if ((row.session_status === 'idle' || row.session_status === 'closed') && int(row.session_sequence) > int(row.prompt_sequence)) {
      status = 'completed';
    }
    if (status !== 'running') finishedAt = iso(row.session_updated_at);
  }
  return {
    runId: String(row.run_id),
    workflowId: String(row.workflow_id),
    tenantId: String(row.tenant_id),
    sessionId: (row.session_id as string | null) ?? null,
    triggerType: row.trigger_type as WorkflowTriggerType,
    triggerPayload: (row.trigger_payload as Record<string, unknown> | null) ?? null,
    status,
    error: status === 'failed' && row.error == null ? 'The run session reported an error.' : ((row.error as string | null) ?? null),
    createdAt: iso(row.created_at),
    startedAt: isoOrNull(row.started_at),
    finishedAt,
    updatedAt: finishedAt && finishedAt > iso(row.updated_at) ? finishedAt : iso(row.updated_at),
  };
}

export function createWorkflowsStore() {
  async function triggersOf(q: Queryable, workflowIds: string[]): Promise<Map<string, Record<string, unknown>[]>> {
    const byWorkflow = new Map<string, Record<string, unknown>[]>();
    if (workflowIds.length === 0) return byWorkflow;
    const { rows } = await q.query(
      `SELECT ${TRIGGER_COLUMNS} FROM workflow_triggers WHERE workflow_id = ANY($1::text[]) ORDER BY workflow_id, position`,
      [workflowIds],
    );
    for (const row of rows) {
      const id = String(row.workflow_id);
      byWorkflow.set(id, [...(byWorkflow.get(id) ?? []), row]);
    }
    return byWorkflow;
  }

  function toRecord(row: Record<string, unknown>, triggerRows: Record<string, unknown>[]): WorkflowRecord {
    const triggers = triggerRows.map(toTrigger);
    const sealedSecrets = new Map<string, string>();
    for (const trigger of triggerRows) {
      if (trigger.webhook_secret_sealed != null) sealedSecrets.set(String(trigger.trigger_id), String(trigger.webhook_secret_sealed));
    }
    return { ...toSummary(row, triggers), prompt: String(row.prompt), triggers, sealedSecrets };
  }

  /** By id alone (the webhook route), or only when `owner` owns it; `lock` takes the row lock. */
  async function get(
    q: Queryable,
    workflowId: string,
    owner: { tenantId: string; userId: string } | null,
    lock = false,
  ): Promise<WorkflowRecord | null> {
    const params: unknown[] = [workflowId];
    let where = 'w.workflow_id = $1';
    if (owner) {
      where += ' AND w.tenant_id = $2 AND w.user_id = $3';
      params.push(owner.tenantId, owner.userId);
    }
    const { rows } = await q.query(`SELECT ${WORKFLOW_COLUMNS} FROM workflows w WHERE ${where}${lock ? ' FOR UPDATE' : ''}`, params);
    if (!rows[0]) return null;
    const triggers = await triggersOf(q, [workflowId]);
    return toRecord(rows[0], triggers.get(workflowId) ?? []);
  }

  return {
    get,

    async insert(tx: Queryable, input: NewWorkflow): Promise<void> {
      await tx.query(
        `INSERT INTO workflows (workflow_id, tenant_id, user_id, name, description, prompt, profile_name, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $8)`,
        [input.workflowId, input.tenantId, input.userId, input.name, input.description, input.prompt, input.profileName, input.now],
      );
      for (const [position, trigger] of input.triggers.entries()) {
        await tx.query(
          `INSERT INTO workflow_triggers (trigger_id, workflow_id, type, cron, next_run_at, webhook_secret_sealed, position, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
          [trigger.triggerId, input.workflowId, trigger.type, trigger.cron, trigger.nextRunAt, trigger.sealedSecret, position, input.now],
        );
      }
    },

    /** One page of the owner's workflows after `after`, `limit` rows at most. */
    async list(
      q: Queryable,
      owner: { tenantId: string; userId: string },
      after: WorkflowListPosition | null,
      limit: number,
    ): Promise<WorkflowRecord[]> {
      const params: unknown[] = [owner.tenantId, owner.userId, limit];
      let keyset = '';
      if (after) {
        params.push(after.updatedAt, after.workflowId);
        keyset = 'AND (w.updated_at < $4 OR (w.updated_at = $4 AND w.workflow_id > $5))';
      }
      const { rows } = await q.query(
        `SELECT ${WORKFLOW_COLUMNS} FROM workflows w WHERE w.tenant_id = $1 AND w.user_id = $2 ${keyset}
         ORDER BY w.updated_at DESC, w.workflow_id ASC LIMIT $3`,
        params,
      );
      const triggers = await triggersOf(
        q,
        rows.map((row) => String(row.workflow_id)),
      );
      return rows.map((row) => toRecord(row, triggers.get(String(row.workflow_id)) ?? []));
    },

    /** Recent runs of these workflows: at most `perWorkflow` each and `total` in all, newest first. */
    async recentRuns(q: Queryable, workflowIds: string[], perWorkflow: number, total: number): Promise<WorkflowRun[]> {
      if (workflowIds.length === 0) return [];
      const { rows } = await q.query(
        `SELECT ${RUN_COLUMNS} FROM (
           SELECT runs.*, row_number() OVER (PARTITION BY runs.workflow_id ORDER BY runs.created_at DESC, runs.run_id DESC) AS rank
           FROM workflow_runs runs WHERE runs.workflow_id = ANY($1::text[])
         ) r LEFT JOIN sessions s ON s.session_id = r.session_id
         WHERE r.rank <= $2 ORDER BY r.created_at DESC, r.run_id DESC LIMIT $3`,
        [workflowIds, perWorkflow, total],
      );
      return rows.map(toRun);
    },

    async getRun(q: Queryable, runId: string): Promise<WorkflowRun | null> {
      const { rows } = await q.query(
        `SELECT ${RUN_COLUMNS} FROM workflow_runs r LEFT JOIN sessions s ON s.session_id = r.session_id WHERE r.run_id = $1`,
        [runId],
      );
      return rows[0] ? toRun(rows[0]) : null;
    },

    async setStatus(tx: Queryable, workflowId: string, status: WorkflowStatus, now: string): Promise<void> {
      await tx.query('UPDATE workflows SET status = $2, updated_at = $3 WHERE workflow_id = $1', [workflowId, status, now]);
    },

    async setSecret(tx: Queryable, triggerId: string, sealedSecret: string, now: string): Promise<void> {
      await tx.query('UPDATE workflow_triggers SET webhook_secret_sealed = $2, updated_at = $3 WHERE trigger_id = $1', [
        triggerId,
        sealedSecret,
        now,
      ]);
      await tx.query(
        'UPDATE workflows SET updated_at = $2 WHERE workflow_id = (SELECT workflow_id FROM workflow_triggers WHERE trigger_id = $1)',
        [triggerId, now],
      );
    },

    /** Records a queued run and the workflow's `lastRunAt`. */
    async insertRun(tx: Queryable, run: NewRun): Promise<void> {
      await tx.query(
        `INSERT INTO workflow_runs (run_id, workflow_id, tenant_id, trigger_type, trigger_payload, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5::jsonb, 'queued', $6, $6)`,
        [run.runId, run.workflowId, run.tenantId, run.triggerType, run.triggerPayload === null ? null : json(run.triggerPayload), run.now],
      );
      await tx.query('UPDATE workflows SET last_run_at = $2, updated_at = $2 WHERE workflow_id = $1', [run.workflowId, run.now]);
    },

    async markRunStarted(q: Queryable, runId: string, sessionId: string, promptSequence: number, now: string): Promise<void> {
      await q.query(
        `UPDATE workflow_runs SET status = 'running', session_id = $2, prompt_sequence = $3, started_at = $4, updated_at = $4 WHERE run_id = $1`,
        [runId, sessionId, promptSequence, now],
      );
    },

    async markRunFailed(q: Queryable, runId: string, sessionId: string | null, error: string, now: string): Promise<void> {
      await q.query(
        `UPDATE workflow_runs SET status = 'failed', session_id = COALESCE($2, session_id), error = $3, finished_at = $4, updated_at = $4
         WHERE run_id = $1`,
        [runId, sessionId, error, now],
      );
    },

    /**
     * Claims a webhook signature for a run. Returns null when it is new, else the run id of the
     * request that first carried it (a replay).
     */
    async claimReceipt(tx: Queryable, workflowId: string, signature: string, runId: string, now: string): Promise<string | null> {
      const inserted = await tx.query(
        `INSERT INTO workflow_webhook_receipts (workflow_id, signature, run_id, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING RETURNING run_id`,
        [workflowId, signature, runId, now],
      );
      if (inserted.rows.length > 0) return null;
      const { rows } = await tx.query('SELECT run_id FROM workflow_webhook_receipts WHERE workflow_id = $1 AND signature = $2', [
        workflowId,
        signature,
      ]);
      return String(rows[0]!.run_id);
    },

    /** Receipts older than the replay window can go: their timestamps are refused anyway. */
    async pruneReceipts(q: Queryable, before: string): Promise<void> {
      await q.query('DELETE FROM workflow_webhook_receipts WHERE created_at < $1', [before]);
    },

    /** Due schedule triggers of active workflows, locked for this tick (others skip them). */
    async claimDue(tx: Queryable, now: string, limit: number): Promise<DueTrigger[]> {
      const { rows } = await tx.query(
        `SELECT t.trigger_id, t.workflow_id, t.cron, t.next_run_at FROM workflow_triggers t
         JOIN workflows w ON w.workflow_id = t.workflow_id
         WHERE t.type = 'schedule' AND t.next_run_at <= $1 AND w.status = 'active'
         ORDER BY t.next_run_at LIMIT $2 FOR UPDATE OF t SKIP LOCKED`,
        [now, limit],
      );
      return rows.map((row) => ({
        triggerId: String(row.trigger_id),
        workflowId: String(row.workflow_id),
        cron: String(row.cron),
        nextRunAt: iso(row.next_run_at),
      }));
    },

    async setNextRun(tx: Queryable, triggerId: string, nextRunAt: string | null, now: string): Promise<void> {
      await tx.query('UPDATE workflow_triggers SET next_run_at = $2, updated_at = $3 WHERE trigger_id = $1', [triggerId, nextRunAt, now]);
    },
  };
}

export type WorkflowsStore = ReturnType<typeof createWorkflowsStore>;
