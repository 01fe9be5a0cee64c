import type { UsageEvent, UsageTotal } from '@open-cowork/shared';
import { newId } from '../ids.js';
import type { Queryable } from './db.js';
import { iso, json } from './rows.js';

export interface UsageRecordInput {
  orgId: string;
  accountId: string | null;
  eventType: string;
  quantity: number;
  unit: string;
  metadata?: Record<string, unknown>;
}

interface UsageRow {
  event_id: string;
  org_id: string;
  account_id: string | null;
  event_type: string;
  quantity: number | string;
  unit: string;
  metadata: Record<string, unknown>;
  created_at: Date | string;
}

const toEvent = (row: UsageRow): UsageEvent => ({
  eventId: row.event_id,
  orgId: row.org_id,
  accountId: row.account_id,
  eventType: row.event_type,
  quantity: Number(row.quantity),
  unit: row.unit,
  metadata: row.metadata,
  createdAt: iso(row.created_at),
});

/** Metered usage events: append, read the most recent, count inside a quota window. */
export function createUsageStore() {
  return {
    async append(q: Queryable, input: UsageRecordInput): Promise<UsageEvent> {
      const event: UsageEvent = {
        eventId: newId('use'),
        orgId: input.orgId,
        accountId: input.accountId,
        eventType: input.eventType,
        quantity: input.quantity,
        unit: input.unit,
        metadata: input.metadata ?? {},
        createdAt: new Date().toISOString(),
      };
      await q.query(
        `INSERT INTO usage_events (event_id, org_id, account_id, event_type, quantity, unit, metadata, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)`,
        [event.eventId, event.orgId, event.accountId, event.eventType, event.quantity, event.unit, json(event.metadata), event.createdAt],
      );
      return event;
    },

    /** The most recent events of the org, newest first. */
    async recent(q: Queryable, orgId: string, limit: number): Promise<UsageEvent[]> {
      const { rows } = await q.query<UsageRow>(
        `SELECT event_id, org_id, account_id, event_type, quantity, unit, metadata, created_at
           FROM usage_events WHERE org_id = $1 ORDER BY created_at DESC, event_id DESC LIMIT $2`,
        [orgId, limit],
      );
      return rows.map(toEvent);
    },

    /** Totals per (eventType, unit) over the `limit` most recent events. */
    async totals(q: Queryable, orgId: string, limit: number): Promise<UsageTotal[]> {
      const { rows } = await q.query<{ event_type: string; unit: string; quantity: number | string }>(
        `SELECT event_type, unit, sum(quantity) AS quantity
           FROM (SELECT event_type, unit, quantity FROM usage_events
                  WHERE org_id = $1 ORDER BY created_at DESC, event_id DESC LIMIT $2) recent
          GROUP BY event_type, unit ORDER BY event_type, unit`,
        [orgId, limit],
      );
      return rows.map((row) => ({ eventType: row.event_type, unit: row.unit, quantity: Number(row.quantity) }));
    },

    /** The quantity of `eventType` recorded since `since`. */
    async sumSince(q: Queryable, orgId: string, eventType: string, since: string): Promise<number> {
      const { rows } = await q.query<{ used: number | string | null }>(
        'SELECT sum(quantity) AS used FROM usage_events WHERE org_id = $1 AND event_type = $2 AND created_at >= $3',
        [orgId, eventType, since],
      );
      return Number(rows[0]?.used ?? 0);
    },
  };
}

export type UsageStore = ReturnType<typeof createUsageStore>;
