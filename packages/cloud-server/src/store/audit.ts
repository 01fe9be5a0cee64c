import type { AdminAuditEvent, AdminAuditEventPage } from '@open-cowork/shared';
import { cursorScope, keysetCursor } from '../cursor.js';
import { httpError } from '../errors.js';
import { newId } from '../ids.js';
import type { Queryable } from './db.js';
import { iso, json } from './rows.js';

export interface AuditRecordInput {
  orgId: string;
  actorUserId: string | null;
  actorTokenId: string | null;
  action: string;
  targetType: string;
  targetId: string;
  metadata?: Record<string, unknown>;
}

/** Filters of the audit list; each is part of the cursor's scope. */
export interface AuditFilters {
  action?: string;
  targetType?: string;
  targetId?: string;
  actorUserId?: string;
}

interface AuditRow {
  event_id: string;
  org_id: string;
  actor_user_id: string | null;
  actor_token_id: string | null;
  action: string;
  target_type: string;
  target_id: string;
  detail: Record<string, unknown>;
  created_at: Date | string;
}

const scopeHash = (orgId: string, filters: AuditFilters) =>
  cursorScope({
    orgId,
    action: filters.action ?? null,
    targetType: filters.targetType ?? null,
    targetId: filters.targetId ?? null,
    actorUserId: filters.actorUserId ?? null,
  });

/** A cursor of another org or other filters is refused. */
const cursors = keysetCursor({
  time: 'createdAt',
  id: 'eventId',
  invalid: () => httpError('audit.cursor.invalid', 'The audit cursor is not valid for this query.'),
});

const toEvent = (row: AuditRow): AdminAuditEvent => ({
  eventId: row.event_id,
  createdAt: iso(row.created_at),
  orgId: row.org_id,
  actorUserId: row.actor_user_id,
  actorTokenId: row.actor_token_id,
  action: row.action,
  targetType: row.target_type,
  targetId: row.target_id,
  metadata: row.detail,
  // `detail` is what the first releases of this server called `metadata`; kept for their readers.
  detail: row.detail,
});

/** The admin audit log: append-only, read newest first with an opaque keyset cursor. */
export function createAuditStore() {
  return {
    /** Appends one event through `q` (a transaction, to commit it with the mutation it records). */
    async append(q: Queryable, input: AuditRecordInput): Promise<AdminAuditEvent> {
      const row: AuditRow = {
        event_id: newId('aud'),
        org_id: input.orgId,
        actor_user_id: input.actorUserId,
        actor_token_id: input.actorTokenId,
        action: input.action,
        target_type: input.targetType,
        target_id: input.targetId,
        detail: input.metadata ?? {},
        // Millisecond timestamps from one clock, so that a cursor round-trips exactly.
        created_at: new Date().toISOString(),
      };
      await q.query(
        `INSERT INTO audit_events (event_id, org_id, actor_user_id, actor_token_id, action, target_type, target_id, detail, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9)`,
        [
          row.event_id,
          row.org_id,
          row.actor_user_id,
          row.actor_token_id,
          row.action,
          row.target_type,
          row.target_id,
          json(row.detail),
          row.created_at,
        ],
      );
      return toEvent(row);
    },

    /** Newest first (createdAt desc, eventId desc); `nextCursor` is null on the last page. */
    async list(
      q: Queryable,
      orgId: string,
      options: { limit: number; cursor?: string; filters?: AuditFilters },
    ): Promise<AdminAuditEventPage> {
      const filters = options.filters ?? {};
      const scope = scopeHash(orgId, filters);
      const after = options.cursor ? cursors.decode(options.cursor, scope) : null;
      const { rows } = await q.query<AuditRow>(
        `SELECT event_id, org_id, actor_user_id, actor_token_id, action, target_type, target_id, detail, created_at
           FROM audit_events
          WHERE org_id = $1
            AND ($2::timestamptz IS NULL OR (created_at, event_id) < ($2::timestamptz, $3::text))
            AND ($4::text IS NULL OR action = $4)
            AND ($5::text IS NULL OR target_type = $5)
            AND ($6::text IS NULL OR target_id = $6)
            AND ($7::text IS NULL OR actor_user_id = $7)
          ORDER BY created_at DESC, event_id DESC
          LIMIT $8`,
        [
          orgId,
          after?.createdAt ?? null,
          after?.eventId ?? null,
          filters.action ?? null,
          filters.targetType ?? null,
          filters.targetId ?? null,
          filters.actorUserId ?? null,
          options.limit + 1,
        ],
      );
      const { page: events, nextCursor } = cursors.page(rows.map(toEvent), options.limit, scope);
      return { events, nextCursor };
    },
  };
}

export type AuditStore = ReturnType<typeof createAuditStore>;
