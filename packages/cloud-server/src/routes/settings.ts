import { settings as settingsSchemas } from '@open-cowork/shared/schemas';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authorize } from '../auth/authenticate.js';

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

type Scoped = { Querystring: Static<typeof SettingScopeQuery> };

/**
 * Settings (`app.settings`): JSON objects under a key, per user, or tenant-wide with
 * `?scope=tenant`. The router decodes the key segment, so keys holding `/`, `?` or `#` round-trip.
 */
export async function settingsRoutes(app: FastifyInstance) {
  const { settings } = app;
  const member = { access: 'member' as const };

  /** The access rule of a write: a tenant-wide value is written by org admins only. */
  const mayWrite = (request: FastifyRequest<Scoped>) => {
    if (request.query.scope === 'tenant') authorize('admin', request.principal, request.routeOptions.url ?? '');
  };

  app.get('/api/settings', { config: member, schema: { response: { 200: SettingListResponse } } }, async (request) =>
    settings.list(request.principal),
  );

  app.get<Scoped & { Params: Static<typeof SettingParams> }>(
    '/api/settings/:key',
    { config: member, schema: { params: SettingParams, querystring: SettingScopeQuery, response: { 200: SettingMaybeResponse } } },
    async (request) => settings.get(request.principal, request.params.key, request.query.scope),
  );

  const writeOptions = {
    config: member,
    schema: { params: SettingParams, querystring: SettingScopeQuery, body: SettingWriteBody, response: { 200: SettingResponse } },
  };
  // PUT is the contract; POST and PATCH are accepted as the same full replacement.
  for (const method of ['put', 'post', 'patch'] as const) {
    app[method]<Scoped & { Params: Static<typeof SettingParams>; Body: Static<typeof SettingWriteBody> }>(
      '/api/settings/:key',
      writeOptions,
      async (request) => {
        mayWrite(request);
        return settings.put(request.principal, request.params.key, request.body.value, request.query.scope);
      },
    );
  }

  app.post<Scoped & { Body: Static<typeof SettingCreateBody> }>(
    '/api/settings',
    { config: member, schema: { querystring: SettingScopeQuery, body: SettingCreateBody, response: { 200: SettingResponse } } },
    async (request) => {
      mayWrite(request);
      return settings.put(request.principal, request.body.key, request.body.value, request.query.scope);
    },
  );

  app.delete<Scoped & { Params: Static<typeof SettingParams> }>(
    '/api/settings/:key',
    { config: member, schema: { params: SettingParams, querystring: SettingScopeQuery, response: { 200: SettingDeleteResponse } } },
    async (request) => {
      mayWrite(request);
      return settings.delete(request.principal, request.params.key, request.query.scope);
    },
  );
}
