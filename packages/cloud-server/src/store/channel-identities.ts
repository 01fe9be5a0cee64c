import type { ChannelIdentity, ChannelIdentityRole, ChannelIdentityStatus } from '@open-cowork/shared';
import type { Queryable } from './db.js';
import { iso, json, keyOf, textOrNull } from './rows.js';

const toIdentity = (row: Record<string, unknown>): ChannelIdentity => ({
  identityId: String(row.identity_id),
  orgId: String(row.org_id),
  provider: String(row.provider),
  externalWorkspaceId: textOrNull(row.external_workspace_id),
  externalUserId: String(row.external_user_id),
  accountId: textOrNull(row.account_id),
  role: row.role as ChannelIdentityRole,
  status: row.status as ChannelIdentityStatus,
  metadata: (row.metadata as Record<string, unknown>) ?? {},
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
});

/** The channel identities of an org: provider users, optionally linked to an account. */
export function createChannelIdentitiesStore() {
  return {
    async listIdentities(
      q: Queryable,
      orgId: string,
      filter: {
        provider?: string | undefined;
        externalWorkspaceId?: string | undefined;
        role?: string | undefined;
        status?: string | undefined;
        limit: number;
      },
    ): Promise<ChannelIdentity[]> {
      const params: unknown[] = [orgId];
      const where = ['org_id = $1'];
      const add = (column: string, value: string | undefined) => {
        if (value === undefined) return;
        params.push(value);
        where.push(`${column} = $${params.length}`);
      };
      add('provider', filter.provider);
      add('external_workspace_id', filter.externalWorkspaceId);
      add('role', filter.role);
      add('status', filter.status);
      params.push(filter.limit);
      const { rows } = await q.query(
        `SELECT * FROM channel_identities WHERE ${where.join(' AND ')} ORDER BY created_at, identity_id LIMIT $${params.length}`,
        params,
      );
      return rows.map(toIdentity);
    },

    async getIdentity(q: Queryable, orgId: string, identityId: string): Promise<ChannelIdentity | null> {
      const { rows } = await q.query('SELECT * FROM channel_identities WHERE org_id = $1 AND identity_id = $2', [orgId, identityId]);
      return rows[0] ? toIdentity(rows[0]) : null;
    },

    /**
     * Finds the identity with this natural key or creates it; `update` fields change an existing one
     * (metadata is merged). One statement, so two concurrent resolves end with one row.
     */
    async resolveIdentity(
      q: Queryable,
      input: {
        identityId: string;
        orgId: string;
        provider: string;
        externalWorkspaceId: string | null;
        externalUserId: string;
        accountId: string | null;
        role: ChannelIdentityRole;
        status: ChannelIdentityStatus;
        metadata: Record<string, unknown>;
        update: {
          accountId?: string | undefined;
          role?: ChannelIdentityRole | undefined;
          status?: ChannelIdentityStatus | undefined;
          metadata?: Record<string, unknown> | undefined;
        };
      },
    ): Promise<{ identity: ChannelIdentity; created: boolean }> {
      const { rows } = await q.query(
        `INSERT INTO channel_identities (identity_id, org_id, provider, external_workspace_id, external_user_id, account_id, role, status, metadata)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)
         ON CONFLICT ON CONSTRAINT channel_identities_natural DO UPDATE SET
           account_id = coalesce($10, channel_identities.account_id),
           role = coalesce($11, channel_identities.role),
           status = coalesce($12, channel_identities.status),
           metadata = channel_identities.metadata || coalesce($13::jsonb, '{}'::jsonb),
           updated_at = now()
         RETURNING *, (xmax = 0) AS inserted`,
        [
          input.identityId,
          input.orgId,
          input.provider,
          keyOf(input.externalWorkspaceId),
          input.externalUserId,
          input.accountId,
          input.role,
          input.status,
          json(input.metadata),
          input.update.accountId ?? null,
          input.update.role ?? null,
          input.update.status ?? null,
          input.update.metadata === undefined ? null : json(input.update.metadata),
        ],
      );
      return { identity: toIdentity(rows[0]!), created: rows[0]!.inserted === true };
    },
  };
}
