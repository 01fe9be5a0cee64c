import type { Setting } from '@open-cowork/shared';
import type { Queryable } from './db.js';
import { iso, json } from './rows.js';

/** The `owner_id` of a tenant-wide setting. */
const TENANT = '';

/** Whose setting: a user's own, or the tenant's (`userId` null). */
export interface SettingOwner {
  tenantId: string;
  userId: string | null;
}

const ownerOf = (owner: SettingOwner) => owner.userId ?? TENANT;

function toSetting(row: Record<string, unknown>): Setting {
  const ownerId = String(row.owner_id);
  return {
    tenantId: String(row.tenant_id),
    userId: ownerId === TENANT ? null : ownerId,
    key: String(row.key),
    value: row.value as Record<string, unknown>,
    updatedAt: iso(row.updated_at),
  };
}

const COLUMNS = 'tenant_id, owner_id, key, value, updated_at';

export function createSettingsStore() {
  return {
    /** The user's settings and the tenant-wide ones, by key; a user's own value comes first for a key. */
    async list(q: Queryable, tenantId: string, userId: string): Promise<Setting[]> {
      const { rows } = await q.query(
        `SELECT ${COLUMNS} FROM settings WHERE tenant_id = $1 AND owner_id IN ($2, '')
         ORDER BY key, owner_id DESC`,
        [tenantId, userId],
      );
      return rows.map(toSetting);
    },

    async get(q: Queryable, owner: SettingOwner, key: string): Promise<Setting | null> {
      const { rows } = await q.query(`SELECT ${COLUMNS} FROM settings WHERE tenant_id = $1 AND owner_id = $2 AND key = $3`, [
        owner.tenantId,
        ownerOf(owner),
        key,
      ]);
      return rows[0] ? toSetting(rows[0]) : null;
    },

    /** Inserts or replaces the value under `key`. */
    async put(tx: Queryable, owner: SettingOwner, key: string, value: Record<string, unknown>, now: string): Promise<Setting> {
      const { rows } = await tx.query(
        `INSERT INTO settings (tenant_id, owner_id, key, value, created_at, updated_at) VALUES ($1, $2, $3, $4::jsonb, $5, $5)
         ON CONFLICT (tenant_id, owner_id, key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at
         RETURNING ${COLUMNS}`,
        [owner.tenantId, ownerOf(owner), key, json(value), now],
      );
      return toSetting(rows[0]!);
    },

    async delete(tx: Queryable, owner: SettingOwner, key: string): Promise<boolean> {
      const { rowCount } = await tx.query('DELETE FROM settings WHERE tenant_id = $1 AND owner_id = $2 AND key = $3', [
        owner.tenantId,
        ownerOf(owner),
        key,
      ]);
      return rowCount > 0;
    },
  };
}
