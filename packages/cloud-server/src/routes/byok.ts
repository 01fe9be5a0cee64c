import { byok as byokSchemas } from '@open-cowork/shared/schemas';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

const {
  DisableResponse,
  OverrideBody,
  OverrideResponse,
  ProviderParams,
  SecretListResponse,
  SecretResponse,
  SetSecretBody,
  SetSecretResponse,
  ValidateResponse,
} = byokSchemas;

/**
 * Bring-your-own-key provider secrets (`app.byok`, services/byok.ts): every answer carries metadata
 * only, never a secret. Reads are for members, changes for admins.
 */
export async function byokRoutes(app: FastifyInstance) {
  const member = { access: 'member' as const };
  const admin = { access: 'admin' as const };

  app.get('/api/byok', { config: member, schema: { response: { 200: SecretListResponse } } }, async (request) =>
    app.byok.list(request.principal.orgId),
  );

  app.get<{ Params: Static<typeof ProviderParams> }>(
    '/api/byok/:providerId',
    { config: member, schema: { params: ProviderParams, response: { 200: SecretResponse } } },
    async (request) => app.byok.get(request.principal.orgId, request.params.providerId),
  );

  app.post<{ Params: Static<typeof ProviderParams>; Body: Static<typeof SetSecretBody> }>(
    '/api/byok/:providerId',
    { config: admin, schema: { params: ProviderParams, body: SetSecretBody, response: { 201: SetSecretResponse } } },
    async (request, reply) => reply.status(201).send(await app.byok.set(request.principal, request.params.providerId, request.body)),
  );

  app.post<{ Params: Static<typeof ProviderParams> }>(
    '/api/byok/:providerId/validate',
    { config: admin, schema: { params: ProviderParams, response: { 200: ValidateResponse } } },
    async (request) => app.byok.validate(request.principal, request.params.providerId),
  );

  app.post<{ Params: Static<typeof ProviderParams>; Body: Static<typeof OverrideBody> }>(
    '/api/byok/:providerId/override',
    { config: admin, schema: { params: ProviderParams, body: OverrideBody, response: { 200: OverrideResponse } } },
    async (request) => app.byok.override(request.principal, request.params.providerId, request.body.reason),
  );

  app.delete<{ Params: Static<typeof ProviderParams> }>(
    '/api/byok/:providerId',
    { config: admin, schema: { params: ProviderParams, response: { 200: DisableResponse } } },
    async (request) => app.byok.disable(request.principal, request.params.providerId),
  );
}
