import type { SessionStatus, ThreadMetadata, ThreadSmartFilterRecord, ThreadTagRecord } from '@open-cowork/shared';
import type { Queryable } from './db.js';
import { iso, json } from './rows.js';

export interface ThreadOwner {
  tenantId: string;
  userId: string;
}

export interface ThreadSearchFilter extends ThreadOwner {
  statuses: SessionStatus[];
  /** Threads must carry every one of these tags. */
  tagIds: string[];
  /** Lower-cased, trimmed; matched against the title and the session id. */
  text: string | null;
}

/** Keyset position: `updatedAt` descending, then `sessionId` ascending (as the session list). */
export interface ThreadPosition {
  updatedAt: string;
  sessionId: string;
}

const TAG_COLUMNS = 'tag_id, tenant_id, name, color, created_at, updated_at';
const FILTER_COLUMNS = 'filter_id, tenant_id, name, query, created_at, updated_at';

function toTag(row: Record<string, unknown>): ThreadTagRecord {
  return {
    tenantId: String(row.tenant_id),
    tagId: String(row.tag_id),
    name: String(row.name),
    color: (row.color as string | null) ?? null,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

function toFilter(row: Record<string, unknown>): ThreadSmartFilterRecord {
  return {
    tenantId: String(row.tenant_id),
    filterId: String(row.filter_id),
    name: String(row.name),
    query: row.query as Record<string, unknown>,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/** A unique-index violation (the tag name is taken), on both engines. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

export function createThreadsStore() {
  return {
    async search(q: Queryable, filter: ThreadSearchFilter, after: ThreadPosition | null, limit: number): Promise<ThreadMetadata[]> {
      const params: unknown[] = [
        filter.tenantId,
        filter.userId,
        filter.statuses,
        filter.tagIds,
        filter.text === null ? null : `%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
        limit,
      ];
      let keyset = '';
      if (after) {
        params.push(after.updatedAt, after.sessionId);
        keyset = 'AND (s.updated_at < $7 OR (s.updated_at = $7 AND s.session_id > $8))';
      }
      const { rows } = await q.query(
        `SELECT s.tenant_id, s.user_id, s.session_id, s.title, s.profile_name, s.status, s.created_at, s.updated_at FROM sessions s
         WHERE s.tenant_id = $1 AND s.user_id = $2
           AND (cardinality($3::text[]) = 0 OR s.status = ANY($3::text[]))
           AND (cardinality($4::text[]) = 0 OR (
             SELECT count(*) FROM thread_tag_assignments a WHERE a.session_id = s.session_id AND a.tag_id = ANY($4::text[])
           ) = cardinality($4::text[]))
           AND ($5::text IS NULL OR lower(coalesce(s.title, '')) LIKE $5 OR lower(s.session_id) LIKE $5)
           ${keyset}
         ORDER BY s.updated_at DESC, s.session_id ASC LIMIT $6`,
        params,
      );
      const threads: ThreadMetadata[] = rows.map((row) => ({
        tenantId: String(row.tenant_id),
        userId: String(row.user_id),
        sessionId: String(row.session_id),
        title: (row.title as string | null) ?? null,
        profileName: String(row.profile_name),
        status: row.status as SessionStatus,
        createdAt: iso(row.created_at),
        updatedAt: iso(row.updated_at),
        tags: [],
      }));
      if (threads.length === 0) return threads;
      const tags = await q.query(
        `SELECT a.session_id, ${TAG_COLUMNS.split(', ')
          .map((column) => `t.${column}`)
          .join(', ')}
         FROM thread_tag_assignments a JOIN thread_tags t ON t.tag_id = a.tag_id
         WHERE a.session_id = ANY($1::text[]) ORDER BY lower(t.name), t.tag_id`,
        [threads.map((thread) => thread.sessionId)],
      );
      const bySession = new Map(threads.map((thread) => [thread.sessionId, thread]));
      for (const row of tags.rows) bySession.get(String(row.session_id))?.tags.push(toTag(row));
      return threads;
    },

    async listTags(q: Queryable, owner: ThreadOwner): Promise<ThreadTagRecord[]> {
      const { rows } = await q.query(
        `SELECT ${TAG_COLUMNS} FROM thread_tags WHERE tenant_id = $1 AND user_id = $2 ORDER BY lower(name), tag_id`,
        [owner.tenantId, owner.userId],
      );
      return rows.map(toTag);
    },

    async getTag(q: Queryable, owner: ThreadOwner, tagId: string, lock = false): Promise<ThreadTagRecord | null> {
      const { rows } = await q.query(
        `SELECT ${TAG_COLUMNS} FROM thread_tags WHERE tag_id = $1 AND tenant_id = $2 AND user_id = $3${lock ? ' FOR UPDATE' : ''}`,
        [tagId, owner.tenantId, owner.userId],
      );
      return rows[0] ? toTag(rows[0]) : null;
    },

    async insertTag(
      tx: Queryable,
      owner: ThreadOwner,
      tag: { tagId: string; name: string; color: string | null; now: string },
    ): Promise<ThreadTagRecord> {
      const { rows } = await tx.query(
        `INSERT INTO thread_tags (tag_id, tenant_id, user_id, name, color, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)
         RETURNING ${TAG_COLUMNS}`,
        [tag.tagId, owner.tenantId, owner.userId, tag.name, tag.color, tag.now],
      );
      return toTag(rows[0]!);
    },

    async updateTag(tx: Queryable, tagId: string, fields: { name: string; color: string | null; now: string }): Promise<ThreadTagRecord> {
      const { rows } = await tx.query(
        `UPDATE thread_tags SET name = $2, color = $3, updated_at = $4 WHERE tag_id = $1 RETURNING ${TAG_COLUMNS}`,
        [tagId, fields.name, fields.color, fields.now],
      );
      return toTag(rows[0]!);
    },

    async deleteTag(tx: Queryable, owner: ThreadOwner, tagId: string): Promise<boolean> {
      const { rowCount } = await tx.query('DELETE FROM thread_tags WHERE tag_id = $1 AND tenant_id = $2 AND user_id = $3', [
        tagId,
        owner.tenantId,
        owner.userId,
      ]);
      return rowCount > 0;
    },

    /** The ids among `sessionIds` that are the owner's sessions. */
    async ownedSessions(q: Queryable, owner: ThreadOwner, sessionIds: string[]): Promise<Set<string>> {
      const { rows } = await q.query(
        'SELECT session_id FROM sessions WHERE session_id = ANY($1::text[]) AND tenant_id = $2 AND user_id = $3',
        [sessionIds, owner.tenantId, owner.userId],
      );
      return new Set(rows.map((row) => String(row.session_id)));
    },

    async assign(tx: Queryable, tagId: string, sessionIds: string[], now: string): Promise<void> {
      await tx.query(
        `INSERT INTO thread_tag_assignments (tag_id, session_id, created_at) SELECT $1, id, $3 FROM unnest($2::text[]) AS id
         ON CONFLICT DO NOTHING`,
        [tagId, sessionIds, now],
      );
    },

    async unassign(tx: Queryable, tagId: string, sessionIds: string[]): Promise<void> {
      await tx.query('DELETE FROM thread_tag_assignments WHERE tag_id = $1 AND session_id = ANY($2::text[])', [tagId, sessionIds]);
    },

    async listFilters(q: Queryable, owner: ThreadOwner): Promise<ThreadSmartFilterRecord[]> {
      const { rows } = await q.query(
        `SELECT ${FILTER_COLUMNS} FROM thread_smart_filters WHERE tenant_id = $1 AND user_id = $2 ORDER BY created_at, filter_id`,
        [owner.tenantId, owner.userId],
      );
      return rows.map(toFilter);
    },

    async getFilter(q: Queryable, owner: ThreadOwner, filterId: string, lock = false): Promise<ThreadSmartFilterRecord | null> {
      const { rows } = await q.query(
        `SELECT ${FILTER_COLUMNS} FROM thread_smart_filters WHERE filter_id = $1 AND tenant_id = $2 AND user_id = $3${lock ? ' FOR UPDATE' : ''}`,
        [filterId, owner.tenantId, owner.userId],
      );
      return rows[0] ? toFilter(rows[0]) : null;
    },

    async insertFilter(
      tx: Queryable,
      owner: ThreadOwner,
      filter: { filterId: string; name: string; query: Record<string, unknown>; now: string },
    ): Promise<ThreadSmartFilterRecord> {
      const { rows } = await tx.query(
        `INSERT INTO thread_smart_filters (filter_id, tenant_id, user_id, name, query, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6, $6) RETURNING ${FILTER_COLUMNS}`,
        [filter.filterId, owner.tenantId, owner.userId, filter.name, json(filter.query), filter.now],
      );
      return toFilter(rows[0]!);
    },

    async updateFilter(
      tx: Queryable,
      filterId: string,
      fields: { name: string; query: Record<string, unknown>; now: string },
    ): Promise<ThreadSmartFilterRecord> {
      const { rows } = await tx.query(
        `UPDATE thread_smart_filters SET name = $2, query = $3::jsonb, updated_at = $4 WHERE filter_id = $1 RETURNING ${FILTER_COLUMNS}`,
        [filterId, fields.name, json(fields.query), fields.now],
      );
      return toFilter(rows[0]!);
    },

    async deleteFilter(tx: Queryable, owner: ThreadOwner, filterId: string): Promise<boolean> {
      const { rowCount } = await tx.query('DELETE FROM thread_smart_filters WHERE filter_id = $1 AND tenant_id = $2 AND user_id = $3', [
        filterId,
        owner.tenantId,
        owner.userId,
      ]);
      return rowCount > 0;
    },
  };
}
