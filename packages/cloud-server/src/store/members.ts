import type { Queryable } from './db.js';

/** Membership rules that need a count, and checks of ids owned by other domains. */
export function createMembersStore() {
  return {
    /** Active owners of the org, locked until the end of the transaction `tx` (two demotions cannot both pass). */
    async lockActiveOwners(tx: Queryable, orgId: string): Promise<string[]> {
      const { rows } = await tx.query<{ user_id: string }>(
        `SELECT user_id FROM memberships WHERE org_id = $1 AND role = 'owner' AND status = 'active' ORDER BY user_id FOR UPDATE`,
        [orgId],
      );
      return rows.map((row) => row.user_id);
    },

    /**
     * The ids among `bindingIds` that name no channel binding of the org. The channel tables come
     * with the channels migration; before it ran, no id can be checked and none is reported.
     */
    async missingChannelBindings(q: Queryable, orgId: string, bindingIds: readonly string[]): Promise<string[]> {
      if (bindingIds.length === 0) return [];
      const { rows: table } = await q.query<{ found: string | null }>("SELECT to_regclass('channel_bindings')::text AS found");
      if (table[0]?.found == null) return [];
      const { rows } = await q.query<{ binding_id: string }>(
        'SELECT binding_id FROM channel_bindings WHERE org_id = $1 AND binding_id = ANY($2::text[])',
        [orgId, [...bindingIds]],
      );
      const found = new Set(rows.map((row) => row.binding_id));
      return bindingIds.filter((id) => !found.has(id));
    },
  };
}
