import { channels as channelsSchemas } from '@open-cowork/shared/schemas';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { idempotencyKey, sendIdempotent } from '../../idempotency.js';

const {
  BindingsQuery,
  CreateAgentBody,
  CreateBindingBody,
  IdentitiesQuery,
  IdParams,
  ListQuery,
  ResolveIdentityBody,
  Responses,
  UpdateAgentBody,
  UpdateBindingBody,
} = channelsSchemas;

/** Providers, headless agents, channel bindings and channel identities (the gateway's setup plane). */
export async function channelSetupRoutes(app: FastifyInstance) {
  const { setup } = app.channels;
  // Mutating channel routes run the Idempotency-Key in their service's transaction, with the
  // stored response: the generic plugin stays out.
  const member = { access: 'member' as const, idempotency: 'handled' as const };
  const admin = { access: 'admin' as const, idempotency: 'handled' as const };

  app.get<{ Querystring: Static<ReturnType<typeof ListQuery>> }>(
    '/api/channels/providers',
    { config: member, schema: { querystring: ListQuery(500), response: { 200: Responses.providers } } },
    (request) => setup.providers(request.principal, request.query.limit),
  );

  // ---------------------------------------------------------------- agents
  app.get<{ Querystring: Static<ReturnType<typeof ListQuery>> }>(
    '/api/channels/agents',
    { config: member, schema: { querystring: ListQuery(500), response: { 200: Responses.agents } } },
    (request) => setup.listAgents(request.principal, request.query.limit),
  );

  app.post<{ Body: Static<typeof CreateAgentBody> }>(
    '/api/channels/agents',
    { config: admin, schema: { body: CreateAgentBody, response: { 201: Responses.agent } } },
    async (request, reply) => sendIdempotent(reply, await setup.createAgent(request.principal, request.body, idempotencyKey(request))),
  );

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof UpdateAgentBody> }>(
    '/api/channels/agents/:id',
    { config: admin, schema: { params: IdParams, body: UpdateAgentBody, response: { 200: Responses.agent } } },
    async (request, reply) =>
      sendIdempotent(reply, await setup.updateAgent(request.principal, request.params.id, request.body, idempotencyKey(request))),
  );

  // ---------------------------------------------------------------- bindings
  app.get<{ Querystring: Static<typeof BindingsQuery> }>(
    '/api/channels/bindings',
    { config: member, schema: { querystring: BindingsQuery, response: { 200: Responses.bindings } } },
    (request) => setup.listBindings(request.principal, request.query),
  );

  app.post<{ Body: Static<typeof CreateBindingBody> }>(
    '/api/channels/bindings',
    { config: admin, schema: { body: CreateBindingBody, response: { 201: Responses.binding } } },
    async (request, reply) => sendIdempotent(reply, await setup.createBinding(request.principal, request.body, idempotencyKey(request))),
  );

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof UpdateBindingBody> }>(
    '/api/channels/bindings/:id',
    { config: member, schema: { params: IdParams, body: UpdateBindingBody, response: { 200: Responses.binding } } },
    async (request, reply) =>
      sendIdempotent(reply, await setup.updateBinding(request.principal, request.params.id, request.body, idempotencyKey(request))),
  );

  // ---------------------------------------------------------------- identities
  app.get<{ Querystring: Static<typeof IdentitiesQuery> }>(
    '/api/channels/identities',
    { config: member, schema: { querystring: IdentitiesQuery, response: { 200: Responses.identities } } },
    (request) => setup.listIdentities(request.principal, request.query),
  );

  app.post<{ Body: Static<typeof ResolveIdentityBody> }>(
    '/api/channels/identities/resolve',
    { config: member, schema: { body: ResolveIdentityBody, response: { 200: Responses.identity } } },
    async (request, reply) => sendIdempotent(reply, await setup.resolveIdentity(request.principal, request.body, idempotencyKey(request))),
  );
}
