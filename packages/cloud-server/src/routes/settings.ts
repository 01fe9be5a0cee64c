import { settings as settingsSchemas } from '@open-cowork/shared/schemas';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authorize } from '../auth/authenticate.js';
import { httpError } from '../errors.js';
import type { SettingOwner } from '../store/settings.js';

const {
  SettingCreateBody,
  SettingDeleteResponse,
  SettingListResponse,
  SettingMaybeResponse,
  SettingParams,
  SettingResponse,
  SettingScopeQuery,
  SettingWriteBody,
} = settingsSchemas;

/** Bytes of JSON one value may take. */
const MAX_VALUE_BYTES = 64 * 1024;

/**
 * Settings: JSON objects under a key, per user, or tenant-wide with
 * `?scope=tenant` (written by org admins only). A read without a scope answers the user's own
 * value, else the tenant-wide one, else `{setting: null}`. The router decodes the key segment, so
 * keys holding `/`, `?` or `#` round-trip.
 */
export async function settingsRoutes(app: FastifyInstance) {
  const settings = app.stores.settings;
  const member = { access: 'member' as const };

  const ownerFor = (request: FastifyRequest, scope: Static<typeof SettingScopeQuery>['scope'], writing: boolean): SettingOwner => {
    const { tenantId, userId } = request.principal;
    if (scope !== 'tenant') return { tenantId, userId };
    if (writing) authorize('admin', request.principal, request.routeOptions.url ?? '');
    return { tenantId, userId: null };
  };

  const write = async (
    request: FastifyRequest,
    key: string,
    value: Record<string, unknown>,
    scope: Static<typeof SettingScopeQuery>['scope'],
  ) => {
    if (Buffer.byteLength(JSON.stringify(value)) > MAX_VALUE_BYTES) {
      throw httpError('settings.value_too_large', `A setting value may take at most ${MAX_VALUE_BYTES} bytes of JSON.`);
    }
    const owner = ownerFor(request, scope, true);
    const setting = await app.db.transaction(async (tx) => {
      const stored = await settings.put(tx, owner, key, value, new Date().toISOString());
      await app.audit.record(tx, request.principal, {
        action: 'setting.set',
        targetType: 'setting',
        targetId: key,
        metadata: { scope: owner.userId ? 'user' : 'tenant' },
      });
      return stored;
    });
    return { setting };
  };

  app.get('/api/settings', { config: member, schema: { response: { 200: SettingListResponse } } }, async (request) => ({
    settings: await settings.list(app.db, request.principal.tenantId, request.principal.userId),
  }));

  app.get<{ Params: Static<typeof SettingParams>; Querystring: Static<typeof SettingScopeQuery> }>(
    '/api/settings/:key',
    { config: member, schema: { params: SettingParams, querystring: SettingScopeQuery, response: { 200: SettingMaybeResponse } } },
    async (request) => {
      const { key } = request.params;
      const own = await settings.get(app.db, ownerFor(request, request.query.scope, false), key);
      if (own || request.query.scope) return { setting: own };
      return { setting: await settings.get(app.db, { tenantId: request.principal.tenantId, userId: null }, key) };
    },
  );

  const writeOptions = {
    config: member,
    schema: { params: SettingParams, querystring: SettingScopeQuery, body: SettingWriteBody, response: { 200: SettingResponse } },
  };
  type WriteRoute = {
    Params: Static<typeof SettingParams>;
    Querystring: Static<typeof SettingScopeQuery>;
    Body: Static<typeof SettingWriteBody>;
  };
  // PUT is the contract; POST and PATCH are accepted as the same full replacement.
  for (const method of ['put', 'post', 'patch'] as const) {
    app[method]<WriteRoute>('/api/settings/:key', writeOptions, async (request) =>
      write(request, request.params.key, request.body.value, request.query.scope),
    );
  }

  app.post<{ Querystring: Static<typeof SettingScopeQuery>; Body: Static<typeof SettingCreateBody> }>(
    '/api/settings',
    { config: member, schema: { querystring: SettingScopeQuery, body: SettingCreateBody, response: { 200: SettingResponse } } },
    async (request) => write(request, request.body.key, request.body.value, request.query.scope),
  );

  app.delete<{ Params: Static<typeof SettingParams>; Querystring: Static<typeof SettingScopeQuery> }>(
    '/api/settings/:key',
    { config: member, schema: { params: SettingParams, querystring: SettingScopeQuery, response: { 200: SettingDeleteResponse } } },
    async (request) => {
      const owner = ownerFor(request, request.query.scope, true);
      const deleted = await app.db.transaction(async (tx) => {
        const removed = await settings.delete(tx, owner, request.params.key);
        if (removed) {
          await app.audit.record(tx, request.principal, {
            action: 'setting.deleted',
            targetType: 'setting',
            targetId: request.params.key,
            metadata: { scope: owner.userId ? 'user' : 'tenant' },
          });
        }
        return removed;
      });
      return { deleted };
    },
  );
}
