import type { Queryable } from './db.js';

/** Read-only aggregates for the diagnostics bundle; the tables belong to other domains. */
export interface GatewayCounts {
  agents: number;
  bindingsByProvider: Record<string, number>;
  deliveriesByStatus: Record<string, number>;
}

/**
 * Counts of the gateway plane, of org members and of the whole server (the operator's metrics). The
 * channel tables come with a later migration of another domain, so each count first checks that its
 * table exists (`to_regclass` honours the search path, hence the per-test PostgreSQL schemas).
 */
export function createBillingStore() {
  const exists = async (q: Queryable, table: string) =>
    (await q.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [table])).rows[0]?.found != null;

  const grouped = async (q: Queryable, sql: string, orgId: string) => {
    const { rows } = await q.query<{ key: string; count: number | string }>(sql, [orgId]);
    return Object.fromEntries(rows.map((row) => [row.key, Number(row.count)]));
  };

  return {
    async gatewayCounts(q: Queryable, orgId: string): Promise<GatewayCounts> {
      const counts: GatewayCounts = { agents: 0, bindingsByProvider: {}, deliveriesByStatus: {} };
      if (await exists(q, 'headless_agents')) {
        const { rows } = await q.query<{ count: number | string }>('SELECT count(*) AS count FROM headless_agents WHERE org_id = $1', [
          orgId,
        ]);
        counts.agents = Number(rows[0]?.count ?? 0);
      }
      if (await exists(q, 'channel_bindings')) {
        counts.bindingsByProvider = await grouped(
          q,
          'SELECT provider AS key, count(*) AS count FROM channel_bindings WHERE org_id = $1 GROUP BY provider',
          orgId,
        );
      }
      if (await exists(q, 'channel_deliveries')) {
        counts.deliveriesByStatus = await grouped(
          q,
          'SELECT status AS key, count(*) AS count FROM channel_deliveries WHERE org_id = $1 GROUP BY status',
          orgId,
        );
      }
      return counts;
    },

    async memberCounts(q: Queryable, orgId: string): Promise<Record<string, number>> {
      return grouped(q, 'SELECT status AS key, count(*) AS count FROM memberships WHERE org_id = $1 GROUP BY status', orgId);
    },

    /** Server-wide totals for the operator's metrics: orgs, users and live API tokens. */
    async serverTotals(q: Queryable): Promise<{ orgs: number; users: number; tokens: number }> {
      const { rows } = await q.query<{ orgs: number; users: number; tokens: number }>(
        `SELECT (SELECT count(*) FROM orgs) AS orgs, (SELECT count(*) FROM users) AS users,
                (SELECT count(*) FROM api_tokens WHERE revoked_at IS NULL) AS tokens`,
      );
      return rows[0]!;
    },
  };
}
