import type {
  CloudProjectSourceSummary,
  CloudSessionProjection,
  CloudSessionView,
  SessionRecord,
  SessionStatus,
} from '@open-cowork/shared';
import type { Queryable } from './db.js';
import { int, iso, json } from './rows.js';

/** A session row with the counters an append needs. */
export interface LockedSession {
  record: SessionRecord;
  lastSequence: number;
  abortedSequence: number;
}

export interface SessionListFilter {
  tenantId: string;
  userId: string;
  status?: SessionStatus;
  profileName?: string;
  /** Lower-cased, trimmed; matched against the title and the session id. */
  query?: string;
}

/** Keyset position: order is `updatedAt` descending, then `sessionId` ascending. */
export interface SessionListPosition {
  updatedAt: string;
  sessionId: string;
}

const COLUMNS = `session_id, tenant_id, user_id, opencode_session_id, profile_name, status, title, project_source,
  last_sequence, aborted_sequence, created_at, updated_at`;

function toLocked(row: Record<string, unknown>): LockedSession {
  const record: SessionRecord = {
    tenantId: String(row.tenant_id),
    userId: String(row.user_id),
    sessionId: String(row.session_id),
    opencodeSessionId: (row.opencode_session_id as string | null) ?? null,
    profileName: String(row.profile_name),
    status: row.status as SessionStatus,
    title: (row.title as string | null) ?? null,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
  if (row.project_source) record.projectSource = row.project_source as CloudProjectSourceSummary;
  return { record, lastSequence: int(row.last_sequence), abortedSequence: int(row.aborted_sequence) };
}

function toProjection(row: Record<string, unknown>): CloudSessionProjection {
  return {
    tenantId: String(row.tenant_id),
    sessionId: String(row.session_id),
    sequence: int(row.sequence),
    view: row.view as Record<string, unknown>,
    updatedAt: iso(row.updated_at),
  };
}

export function createSessionsStore() {
  /** The caller's session, or null: sessions of other users are as absent as unknown ones. */
  const get = async (q: Queryable, tenantId: string, userId: string, sessionId: string): Promise<LockedSession | null> => {
    const { rows } = await q.query(`SELECT ${COLUMNS} FROM sessions WHERE session_id = $1 AND tenant_id = $2 AND user_id = $3`, [
      sessionId,
      tenantId,
      userId,
    ]);
    return rows[0] ? toLocked(rows[0]) : null;
  };

  const getProjection = async (q: Queryable, sessionId: string): Promise<CloudSessionProjection | null> => {
    const { rows } = await q.query(
      'SELECT session_id, tenant_id, sequence, view, updated_at FROM session_projections WHERE session_id = $1',
      [sessionId],
    );
    return rows[0] ? toProjection(rows[0]) : null;
  };

  return {
    get,
    getProjection,

    async insert(tx: Queryable, record: SessionRecord): Promise<void> {
      await tx.query(`INSERT INTO sessions (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, 0, 0, $9, $10)`, [
        record.sessionId,
        record.tenantId,
        record.userId,
        record.opencodeSessionId,
        record.profileName,
        record.status,
        record.title,
        record.projectSource ? json(record.projectSource) : null,
        record.createdAt,
        record.updatedAt,
      ]);
    },

    /** Like `get`, holding the row lock that serialises every append to this session. */
    async lock(tx: Queryable, sessionId: string): Promise<LockedSession | null> {
      const { rows } = await tx.query(`SELECT ${COLUMNS} FROM sessions WHERE session_id = $1 FOR UPDATE`, [sessionId]);
      return rows[0] ? toLocked(rows[0]) : null;
    },

    async saveCounters(
      tx: Queryable,
      sessionId: string,
      fields: { lastSequence: number; abortedSequence: number; status: SessionStatus; title: string | null; updatedAt: string },
    ): Promise<void> {
      await tx.query(
        `UPDATE sessions SET last_sequence = $2, aborted_sequence = $3, status = $4, title = $5, updated_at = $6
         WHERE session_id = $1`,
        [sessionId, fields.lastSequence, fields.abortedSequence, fields.status, fields.title, fields.updatedAt],
      );
    },

    /**
     * Sets the title or status of a locked session, in its row and in its projection view, so that
     * later appends (which fold into the stored view and save its title and status) keep them.
     */
    async setFields(
      tx: Queryable,
      sessionId: string,
      fields: { title?: string; status?: SessionStatus; updatedAt: string },
    ): Promise<void> {
      const changed: Record<string, string> = {};
      if (fields.title !== undefined) changed.title = fields.title;
      if (fields.status !== undefined) changed.status = fields.status;
      await tx.query(
        'UPDATE sessions SET title = coalesce($2, title), status = coalesce($3, status), updated_at = $4 WHERE session_id = $1',
        [sessionId, fields.title ?? null, fields.status ?? null, fields.updatedAt],
      );
      await tx.query('UPDATE session_projections SET view = view || $2::jsonb, updated_at = $3 WHERE session_id = $1', [
        sessionId,
        json({ ...changed, updatedAt: fields.updatedAt }),
        fields.updatedAt,
      ]);
    },

    /** One page plus one extra row, which tells the caller whether more remain. */
    async list(q: Queryable, filter: SessionListFilter, after: SessionListPosition | null, limit: number): Promise<SessionRecord[]> {
      const params: unknown[] = [filter.tenantId, filter.userId];
      const where = ['tenant_id = $1', 'user_id = $2'];
      const add = (clause: (n: number) => string, value: unknown) => {
        params.push(value);
        where.push(clause(params.length));
      };
      if (filter.status) add((n) => `status = $${n}`, filter.status);
      if (filter.profileName) add((n) => `profile_name = $${n}`, filter.profileName);
      if (filter.query)
        add((n) => `(lower(coalesce(title, '')) LIKE $${n} OR lower(session_id) LIKE $${n})`, `%${escapeLike(filter.query)}%`);
      if (after) {
        params.push(after.updatedAt, after.sessionId);
        const [u, s] = [params.length - 1, params.length];
        where.push(`(updated_at < $${u}::timestamptz OR (updated_at = $${u}::timestamptz AND session_id > $${s}))`);
      }
      params.push(limit);
      const { rows } = await q.query(
        `SELECT ${COLUMNS} FROM sessions WHERE ${where.join(' AND ')}
         ORDER BY updated_at DESC, session_id ASC LIMIT $${params.length}`,
        params,
      );
      return rows.map((row) => toLocked(row).record);
    },

    async saveProjection(tx: Queryable, projection: CloudSessionProjection & { tenantId: string }): Promise<void> {
      await tx.query(
        `INSERT INTO session_projections (session_id, tenant_id, sequence, view, updated_at)
         VALUES ($1, $2, $3, $4::jsonb, $5)
         ON CONFLICT (session_id) DO UPDATE SET sequence = EXCLUDED.sequence, view = EXCLUDED.view, updated_at = EXCLUDED.updated_at`,
        [projection.sessionId, projection.tenantId, projection.sequence, json(projection.view), projection.updatedAt],
      );
    },

    /** `CloudSessionView` of the caller's session, or null. */
    async view(q: Queryable, tenantId: string, userId: string, sessionId: string): Promise<CloudSessionView | null> {
      const found = await get(q, tenantId, userId, sessionId);
      return found ? { session: found.record, projection: await getProjection(q, sessionId) } : null;
    },
  };
}

export type SessionsStore = ReturnType<typeof createSessionsStore>;

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** An uploaded project snapshot; its files stay in the store (this server has no object store). */
export interface StoredSnapshot {
  snapshotId: string;
  tenantId: string;
  userId: string;
  objectKey: string;
  title: string | null;
  fileCount: number;
  byteCount: number;
  files: { path: string; dataBase64: string; mode?: number }[];
  /** `excluded` and `warnings` as uploaded. */
  manifest: Record<string, unknown>;
  createdAt: string;
}

export function createSnapshotsStore() {
  return {
    async insert(q: Queryable, snapshot: StoredSnapshot): Promise<void> {
      await q.query(
        `INSERT INTO project_snapshots (snapshot_id, tenant_id, user_id, object_key, title, file_count, byte_count, files, manifest, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10)`,
        [
          snapshot.snapshotId,
          snapshot.tenantId,
          snapshot.userId,
          snapshot.objectKey,
          snapshot.title,
          snapshot.fileCount,
          snapshot.byteCount,
          json(snapshot.files),
          json(snapshot.manifest),
          snapshot.createdAt,
        ],
      );
    },

    /** True when the tenant owns a snapshot with this id and object key. */
    async exists(q: Queryable, tenantId: string, snapshotId: string, objectKey: string): Promise<boolean> {
      const { rows } = await q.query('SELECT 1 FROM project_snapshots WHERE tenant_id = $1 AND snapshot_id = $2 AND object_key = $3', [
        tenantId,
        snapshotId,
        objectKey,
      ]);
      return rows.length > 0;
    },
  };
}

export type SnapshotsStore = ReturnType<typeof createSnapshotsStore>;
