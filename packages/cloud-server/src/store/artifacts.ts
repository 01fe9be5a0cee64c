import { type ArtifactKind, type ArtifactStatus, CLOUD_ARTIFACT_SCHEME, type PublicArtifact } from '@open-cowork/shared';
import type { Queryable } from './db.js';
import { int, iso, isoOrNull } from './rows.js';

export interface ArtifactOwner {
  tenantId: string;
  userId: string;
}

export interface NewArtifact {
  artifactId: string;
  tenantId: string;
  userId: string;
  sessionId: string;
  filename: string;
  contentType: string;
  data: Buffer;
  sha256: string;
  kind: ArtifactKind;
  status: ArtifactStatus;
  authorAgentId: string | null;
  projectId: string | null;
  taskId: string | null;
  statusUpdatedBy: string | null;
  statusUpdatedAt: string | null;
  now: string;
}

export interface ArtifactChange {
  status: ArtifactStatus;
  kind: ArtifactKind;
  authorAgentId: string | null;
  projectId: string | null;
  taskId: string | null;
  statusUpdatedBy: string | null;
  statusUpdatedAt: string | null;
  now: string;
}

export interface ArtifactIndexFilter extends ArtifactOwner {
  sessionId?: string | undefined;
  projectId?: string | undefined;
  /** Any of these task ids. */
  taskIds: string[];
  kind?: ArtifactKind | undefined;
  status?: ArtifactStatus | undefined;
}

// Everything but the bytes; `a.` prefixed so the session title can be joined in.
const COLUMNS = `a.artifact_id, a.tenant_id, a.session_id, a.filename, a.content_type, a.size, a.position, a.kind, a.status,
  a.author_agent_id, a.project_id, a.task_id, a.status_updated_by, a.status_updated_at, a.created_at, a.updated_at, s.title AS session_title`;

/** `cloud-artifact://<encoded id>/<encoded filename>`. */
const artifactFilePath = (artifactId: string, filename: string) =>
  `${CLOUD_ARTIFACT_SCHEME}${encodeURIComponent(artifactId)}/${encodeURIComponent(filename)}`;

function toPublicArtifact(row: Record<string, unknown>): PublicArtifact {
  const artifactId = String(row.artifact_id);
  const filename = String(row.filename);
  const mime = String(row.content_type);
  return {
    artifactId,
    id: artifactId,
    toolId: 'cloud-artifact',
    toolName: 'cloud.artifact',
    filePath: artifactFilePath(artifactId, filename),
    filename,
    order: int(row.position),
    source: 'cloud',
    cloudArtifactId: artifactId,
    sessionId: String(row.session_id),
    sessionTitle: (row.session_title as string | null) ?? null,
    workspaceId: `cloud:${String(row.tenant_id)}`,
    mime,
    contentType: mime,
    size: int(row.size),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    kind: row.kind as ArtifactKind,
    status: row.status as ArtifactStatus,
    authorAgentId: (row.author_agent_id as string | null) ?? null,
    projectId: (row.project_id as string | null) ?? null,
    taskId: (row.task_id as string | null) ?? null,
    statusUpdatedBy: (row.status_updated_by as string | null) ?? null,
    statusUpdatedAt: isoOrNull(row.status_updated_at),
  };
}

/** PGlite returns bytea as Uint8Array, `pg` as Buffer. */
const toBuffer = (value: unknown) => (Buffer.isBuffer(value) ? value : Buffer.from(value as Uint8Array));

export function createArtifactsStore() {
  const get = async (
    q: Queryable,
    owner: ArtifactOwner,
    sessionId: string,
    artifactId: string,
    lock = false,
  ): Promise<PublicArtifact | null> => {
    const { rows } = await q.query(
      `SELECT ${COLUMNS} FROM artifacts a JOIN sessions s ON s.session_id = a.session_id
       WHERE a.artifact_id = $1 AND a.session_id = $2 AND a.tenant_id = $3 AND a.user_id = $4${lock ? ' FOR UPDATE OF a' : ''}`,
      [artifactId, sessionId, owner.tenantId, owner.userId],
    );
    return rows[0] ? toPublicArtifact(rows[0]) : null;
  };

  return {
    get,

    /** Inserts under the session row lock (the caller holds it), so positions are dense per session. */
    async insert(tx: Queryable, artifact: NewArtifact): Promise<PublicArtifact> {
      await tx.query(
        `INSERT INTO artifacts (artifact_id, tenant_id, user_id, session_id, filename, content_type, size, sha256, data, position, kind, status,
           author_agent_id, project_id, task_id, status_updated_by, status_updated_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
           (SELECT count(*) FROM artifacts WHERE session_id = $4), $10, $11, $12, $13, $14, $15, $16, $17, $17)`,
        [
          artifact.artifactId,
          artifact.tenantId,
          artifact.userId,
          artifact.sessionId,
          artifact.filename,
          artifact.contentType,
          artifact.data.byteLength,
          artifact.sha256,
          artifact.data,
          artifact.kind,
          artifact.status,
          artifact.authorAgentId,
          artifact.projectId,
          artifact.taskId,
          artifact.statusUpdatedBy,
          artifact.statusUpdatedAt,
          artifact.now,
        ],
      );
      return (await get(tx, artifact, artifact.sessionId, artifact.artifactId))!;
    },

    async listBySession(q: Queryable, owner: ArtifactOwner, sessionId: string): Promise<PublicArtifact[]> {
      const { rows } = await q.query(
        `SELECT ${COLUMNS} FROM artifacts a JOIN sessions s ON s.session_id = a.session_id
         WHERE a.session_id = $1 AND a.tenant_id = $2 AND a.user_id = $3 ORDER BY a.position, a.artifact_id`,
        [sessionId, owner.tenantId, owner.userId],
      );
      return rows.map(toPublicArtifact);
    },

    async content(
      q: Queryable,
      owner: ArtifactOwner,
      sessionId: string,
      artifactId: string,
    ): Promise<{ artifact: PublicArtifact; data: Buffer } | null> {
      const { rows } = await q.query(
        `SELECT ${COLUMNS}, a.data FROM artifacts a JOIN sessions s ON s.session_id = a.session_id
         WHERE a.artifact_id = $1 AND a.session_id = $2 AND a.tenant_id = $3 AND a.user_id = $4`,
        [artifactId, sessionId, owner.tenantId, owner.userId],
      );
      return rows[0] ? { artifact: toPublicArtifact(rows[0]), data: toBuffer(rows[0].data) } : null;
    },

    async update(tx: Queryable, artifactId: string, change: ArtifactChange): Promise<void> {
      await tx.query(
        `UPDATE artifacts SET status = $2, kind = $3, author_agent_id = $4, project_id = $5, task_id = $6, status_updated_by = $7,
           status_updated_at = $8, updated_at = $9 WHERE artifact_id = $1`,
        [
          artifactId,
          change.status,
          change.kind,
          change.authorAgentId,
          change.projectId,
          change.taskId,
          change.statusUpdatedBy,
          change.statusUpdatedAt,
          change.now,
        ],
      );
    },

    /** Matching artifacts of the owner's sessions, newest first: `limit` of them, the total, and how many sessions they span. */
    async index(
      q: Queryable,
      filter: ArtifactIndexFilter,
      limit: number,
    ): Promise<{ artifacts: PublicArtifact[]; total: number; scannedSessions: number }> {
      const conditions = ['a.tenant_id = $1', 'a.user_id = $2'];
      const params: unknown[] = [filter.tenantId, filter.userId];
      const add = (sql: string, value: unknown) => {
        params.push(value);
        conditions.push(sql.replace('?', `$${params.length}`));
      };
      if (filter.sessionId) add('a.session_id = ?', filter.sessionId);
      if (filter.projectId) add('a.project_id = ?', filter.projectId);
      if (filter.taskIds.length > 0) add('a.task_id = ANY(?::text[])', filter.taskIds);
      if (filter.kind) add('a.kind = ?', filter.kind);
      if (filter.status) add('a.status = ?', filter.status);
      const where = conditions.join(' AND ');
      const counted = await q.query(
        `SELECT count(*) AS total, count(DISTINCT a.session_id) AS sessions FROM artifacts a WHERE ${where}`,
        params,
      );
      params.push(limit);
      const { rows } = await q.query(
        `SELECT ${COLUMNS} FROM artifacts a JOIN sessions s ON s.session_id = a.session_id WHERE ${where}
         ORDER BY a.created_at DESC, a.artifact_id LIMIT $${params.length}`,
        params,
      );
      return { artifacts: rows.map(toPublicArtifact), total: int(counted.rows[0]!.total), scannedSessions: int(counted.rows[0]!.sessions) };
    },
  };
}
