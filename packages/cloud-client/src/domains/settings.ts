import type { Setting } from '@open-cowork/shared';
import { commandSender, type CloudClientContext, type CloudCommandOptions } from '../core/context.js';
import { CloudTransportError } from '../core/errors.js';
import { apiPath } from '../core/path.js';
import { check, isNonEmpty, isObject } from '../core/validate.js';

export type { Setting };

function isSetting(value: unknown): value is Setting {
  return typeof value === 'object' && value !== null && isNonEmpty((value as { key?: unknown }).key);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!isObject(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Per-tenant/per-user settings: JSON objects stored under a key. Keys may hold
 * any character: they are percent-encoded, and this is the one route whose key the server decodes.
 */
export function createCloudSettingsClient(ctx: CloudClientContext) {
  const send = commandSender(ctx);

  return {
    /** `GET /api/settings`. Entries without a `key` are dropped (the first server could emit them). */
    async listSettings(): Promise<Setting[]> {
      const { settings } = await ctx.request<{ settings?: unknown[] }>('/api/settings');
      return (settings ?? []).filter(isSetting);
    },

    /** `GET /api/settings/:key` → the setting, or `null` when none is stored under `key`. */
    async getSetting(key: string): Promise<Setting | null> {
      const { setting } = await ctx.request<{ setting?: unknown }>(apiPath`/api/settings/${key}`);
      return isSetting(setting) ? setting : null;
    },

    /**
     * `PUT /api/settings/:key` with `{value}` → the stored setting. `value` must be a plain object
     * (kind `request` otherwise, before any I/O); an answer without a setting is kind `parse`.
     */
    async setSetting(key: string, value: Record<string, unknown>, options: CloudCommandOptions = {}): Promise<Setting> {
      const path = apiPath`/api/settings/${key}`;
      check(isPlainObject(value), 'setSetting: value must be a plain object.');
      const { setting } = await send<{ setting?: unknown }>('PUT', path, { value }, options);
      if (!isSetting(setting)) {
        throw new CloudTransportError('parse', 'setSetting: the server answered without a setting.', {
          method: 'PUT',
          url: ctx.url(path),
          body: setting,
        });
      }
      return setting;
    },
  };
}

export type CloudSettingsClient = ReturnType<typeof createCloudSettingsClient>;
