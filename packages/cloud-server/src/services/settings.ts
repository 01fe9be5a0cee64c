import type { Setting } from '@open-cowork/shared';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Principal } from '../auth/principal.js';
import { httpError } from '../errors.js';
import type { Db } from '../store/db.js';
import type { SettingOwner } from '../store/settings.js';
import type { Stores } from '../store/stores.js';
import type { AuditService } from './audit.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Settings: JSON objects under a key, per user or tenant-wide. */
    settings: SettingsService;
  }
}

/** `tenant`: the tenant-wide value (written by org admins: the route's access rule); else the caller's own. */
type SettingScope = 'user' | 'tenant' | undefined;

/** Bytes of JSON one value may take. */
const MAX_VALUE_BYTES = 64 * 1024;

const ownerFor = ({ tenantId, userId }: Principal, scope: SettingScope): SettingOwner =>
  scope === 'tenant' ? { tenantId, userId: null } : { tenantId, userId };

const auditScope = (owner: SettingOwner) => ({ scope: owner.userId ? 'user' : 'tenant' });

/**
 * Settings: JSON objects under a key, per user, or tenant-wide. A read without a scope answers the
 * user's own value, else the tenant-wide one, else null. Every change is audited in its transaction.
 */
function createSettingsService(deps: { db: Db; settings: Stores['settings']; audit: AuditService }) {
  const { db, settings, audit } = deps;
  return {
    /** The caller's settings and the tenant-wide ones. */
    list: async (principal: Principal): Promise<{ settings: Setting[] }> => ({
      settings: await settings.list(db, principal.tenantId, principal.userId),
    }),

    async get(principal: Principal, key: string, scope: SettingScope): Promise<{ setting: Setting | null }> {
      const own = await settings.get(db, ownerFor(principal, scope), key);
      if (own || scope) return { setting: own };
      return { setting: await settings.get(db, ownerFor(principal, 'tenant'), key) };
    },

    /** Replaces the value under `key`. */
    async put(principal: Principal, key: string, value: Record<string, unknown>, scope: SettingScope): Promise<{ setting: Setting }> {
      if (Buffer.byteLength(JSON.stringify(value)) > MAX_VALUE_BYTES) {
        throw httpError('settings.value_too_large', `A setting value may take at most ${MAX_VALUE_BYTES} bytes of JSON.`);
      }
      const owner = ownerFor(principal, scope);
      const setting = await db.transaction(async (tx) => {
        const stored = await settings.put(tx, owner, key, value, new Date().toISOString());
        await audit.record(tx, principal, { action: 'setting.set', targetType: 'setting', targetId: key, metadata: auditScope(owner) });
        return stored;
      });
      return { setting };
    },

    async delete(principal: Principal, key: string, scope: SettingScope): Promise<{ deleted: boolean }> {
      const owner = ownerFor(principal, scope);
      const deleted = await db.transaction(async (tx) => {
        const removed = await settings.delete(tx, owner, key);
        if (removed) {
          await audit.record(tx, principal, {
            action: 'setting.deleted',
            targetType: 'setting',
            targetId: key,
            metadata: auditScope(owner),
          });
        }
        return removed;
      });
      return { deleted };
    },
  };
}

type SettingsService = ReturnType<typeof createSettingsService>;

async function settingsServicesPlugin(app: FastifyInstance) {
  app.decorate('settings', createSettingsService({ db: app.db, settings: app.stores.settings, audit: app.audit }));
}

/** `app.settings`, for the settings routes. */
export const settingsServices = fp(settingsServicesPlugin, { name: 'settings-services', dependencies: ['store', 'account-services'] });
