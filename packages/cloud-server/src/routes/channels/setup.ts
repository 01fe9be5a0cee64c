import { channels as channelsSchemas } from '@open-cowork/shared/schemas';
import { BUILT_IN_CHANNEL_PROVIDERS, type ChannelProviderSummary } from '@open-cowork/shared';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { httpError } from '../../errors.js';
import { newId } from '../../ids.js';
import { checkProvider, sanitiseObject } from '../../services/channels.js';
import { credentialRefKind, publicBinding, type StoredChannelBinding } from '../../store/channels.js';

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

const LABELS: Record<string, string> = {
  telegram: 'Telegram',
  slack: 'Slack',
  email: 'Email',
  discord: 'Discord',
  whatsapp: 'WhatsApp',
  signal: 'Signal',
  webhook: 'Webhook',
  cli: 'Command line',
};

/** REST form of a binding: no credential reference, settings sanitised. */
const wireBinding = (binding: StoredChannelBinding) => {
  const visible = publicBinding(binding);
  return { ...visible, settings: sanitiseObject(visible.settings) };
};

/** A credential reference, never a secret: anything that is not a known reference form is refused. */
function checkCredentialRef(ref: string | null | undefined): void {
  if (ref === null || ref === undefined) return;
  if (!credentialRefKind(ref)) {
    throw httpError(
      'channels.credential_ref_invalid',
      'credentialRef must be a reference (env:NAME, gcp-secret-manager:…, aws-secrets-manager:…, azure-key-vault:…, secret-ref:…), never the secret itself.',
    );
  }
}

/** Providers, headless agents, channel bindings and channel identities (the gateway's setup plane). */
export async function channelSetupRoutes(app: FastifyInstance) {
  const { channels } = app;
  // Mutating channel routes run under `channels.respond`, which stores the Idempotency-Key
  // response atomically: the generic plugin stays out.
  const member = { access: 'member' as const, idempotency: 'handled' as const };
  const admin = { access: 'admin' as const, idempotency: 'handled' as const };
  const tenants = app.stores.tenants;

  app.get<{ Querystring: Static<ReturnType<typeof ListQuery>> }>(
    '/api/channels/providers',
    { config: member, schema: { querystring: ListQuery(500), response: { 200: Responses.providers } } },
    async (request) => {
      const { principal } = request;
      channels.requireGatewayOrAdmin(principal);
      const counts = await channels.store.providerCounts(app.db, principal.orgId, channels.scopeOf(principal));
      const ids = [
        ...BUILT_IN_CHANNEL_PROVIDERS,
        ...counts.map((count) => count.provider).filter((id) => !(BUILT_IN_CHANNEL_PROVIDERS as readonly string[]).includes(id)),
      ];
      const providers: ChannelProviderSummary[] = ids.map((id) => {
        const count = counts.find((entry) => entry.provider === id);
        const connected = (count?.active ?? 0) > 0;
        return {
          id,
          provider: id,
          label: LABELS[id] ?? id,
          available: true,
          connected,
          bindingCount: count?.total ?? 0,
          activeBindingCount: count?.active ?? 0,
          status: connected ? 'connected' : 'available',
        };
      });
      return { providers: providers.slice(0, request.query.limit ?? 500) };
    },
  );

  // ---------------------------------------------------------------- agents
  app.get<{ Querystring: Static<ReturnType<typeof ListQuery>> }>(
    '/api/channels/agents',
    { config: member, schema: { querystring: ListQuery(500), response: { 200: Responses.agents } } },
    async (request) => {
      channels.requireGatewayOrAdmin(request.principal);
      return { agents: await channels.store.listAgents(app.db, request.principal.orgId, request.query.limit ?? 100) };
    },
  );

  app.post<{ Body: Static<typeof CreateAgentBody> }>(
    '/api/channels/agents',
    { config: admin, schema: { body: CreateAgentBody, response: { 201: Responses.agent } } },
    (request, reply) =>
      channels.respond(request, reply, async (tx) => {
        const { principal, body } = request;
        const agent = await channels.store.insertAgent(tx, {
          agentId: body.agentId ?? newId('agt'),
          orgId: principal.orgId,
          profileName: body.profileName ?? 'default',
          name: body.name,
          status: body.status ?? 'active',
          managed: body.managed ?? false,
          createdByAccountId: principal.userId,
        });
        if (!agent) throw httpError('channels.agent_id_unavailable', 'This agent id is already taken.');
        await channels.audit(tx, principal, {
          action: 'channel_agent.created',
          targetType: 'headless_agent',
          targetId: agent.agentId,
          metadata: { name: agent.name },
        });
        return { status: 201, body: { agent } };
      }),
  );

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof UpdateAgentBody> }>(
    '/api/channels/agents/:id',
    { config: admin, schema: { params: IdParams, body: UpdateAgentBody, response: { 200: Responses.agent } } },
    (request, reply) =>
      channels.respond(request, reply, async (tx) => {
        const { principal, body } = request;
        const agent = await channels.store.updateAgent(tx, principal.orgId, request.params.id, body);
        if (!agent) throw httpError('channels.agent_not_found', 'Headless agent was not found.');
        await channels.audit(tx, principal, {
          action: 'channel_agent.updated',
          targetType: 'headless_agent',
          targetId: agent.agentId,
          metadata: { fields: Object.keys(body) },
        });
        return { status: 200, body: { agent } };
      }),
  );

  // ---------------------------------------------------------------- bindings
  app.get<{ Querystring: Static<typeof BindingsQuery> }>(
    '/api/channels/bindings',
    { config: member, schema: { querystring: BindingsQuery, response: { 200: Responses.bindings } } },
    async (request) => {
      const { principal } = request;
      channels.requireGatewayOrAdmin(principal);
      const filter = { agentId: request.query.agentId, scope: channels.scopeOf(principal), limit: request.query.limit ?? 500 };
      return { bindings: (await channels.store.listBindings(app.db, principal.orgId, filter)).map(wireBinding) };
    },
  );

  app.post<{ Body: Static<typeof CreateBindingBody> }>(
    '/api/channels/bindings',
    { config: admin, schema: { body: CreateBindingBody, response: { 201: Responses.binding } } },
    (request, reply) =>
      channels.respond(request, reply, async (tx) => {
        const { principal, body } = request;
        checkProvider(body.provider);
        checkCredentialRef(body.credentialRef);
        const agent = await channels.store.getAgent(tx, principal.orgId, body.agentId);
        if (!agent) throw httpError('channels.agent_not_found', 'Headless agent was not found.');
        const binding = await channels.store.insertBinding(tx, {
          bindingId: body.bindingId ?? newId('chb'),
          orgId: principal.orgId,
          agentId: agent.agentId,
          provider: body.provider,
          externalWorkspaceId: body.externalWorkspaceId ?? null,
          displayName: body.displayName,
          status: body.status ?? 'active',
          credentialRef: body.credentialRef ?? null,
          settings: body.settings ?? {},
        });
        if (!binding) throw httpError('channels.binding_id_unavailable', 'This channel binding id is already taken.');
        await channels.audit(tx, principal, {
          action: 'channel_binding.created',
          targetType: 'channel_binding',
          targetId: binding.bindingId,
          metadata: { agentId: agent.agentId, provider: binding.provider, credentialRefKind: binding.credentialRefKind },
        });
        return { status: 201, body: { binding: wireBinding(binding) } };
      }),
  );

  // Gateways may update (e.g. flag `auth_required`) the bindings they were granted.
  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof UpdateBindingBody> }>(
    '/api/channels/bindings/:id',
    { config: member, schema: { params: IdParams, body: UpdateBindingBody, response: { 200: Responses.binding } } },
    (request, reply) =>
      channels.respond(request, reply, async (tx) => {
        const { principal, body } = request;
        channels.requireGatewayOrAdmin(principal);
        checkCredentialRef(body.credentialRef);
        await channels.binding(tx, principal, request.params.id);
        const binding = await channels.store.updateBinding(tx, principal.orgId, request.params.id, body);
        if (!binding) throw httpError('channels.binding_not_found', 'Channel binding was not found.');
        await channels.audit(tx, principal, {
          action: body.status === 'disabled' ? 'channel_binding.disconnected' : 'channel_binding.updated',
          targetType: 'channel_binding',
          targetId: binding.bindingId,
          metadata: { fields: Object.keys(body), status: binding.status },
        });
        return { status: 200, body: { binding: wireBinding(binding) } };
      }),
  );

  // ---------------------------------------------------------------- identities
  app.get<{ Querystring: Static<typeof IdentitiesQuery> }>(
    '/api/channels/identities',
    { config: member, schema: { querystring: IdentitiesQuery, response: { 200: Responses.identities } } },
    async (request) => {
      const { principal, query } = request;
      channels.requireGatewayOrAdmin(principal);
      const identities = await channels.store.listIdentities(app.db, principal.orgId, { ...query, limit: query.limit ?? 100 });
      return { identities: identities.map((identity) => ({ ...identity, metadata: sanitiseObject(identity.metadata) })) };
    },
  );

  app.post<{ Body: Static<typeof ResolveIdentityBody> }>(
    '/api/channels/identities/resolve',
    { config: member, schema: { body: ResolveIdentityBody, response: { 200: Responses.identity } } },
    (request, reply) =>
      channels.respond(request, reply, async (tx) => {
        const { principal, body } = request;
        channels.requireGatewayOrAdmin(principal);
        checkProvider(body.provider);
        if (body.channelBindingId) await channels.bindingFor(tx, principal, body.channelBindingId, body.provider);
        // Linking a provider user to an account or changing its role is an admin decision, not a gateway's.
        const privileged = body.accountId !== undefined || body.role !== undefined || body.status !== undefined;
        if (privileged && !channels.isAdmin(principal)) {
          throw httpError('channels.identity_admin_required', 'Only admins set the account, role or status of a channel identity.');
        }
        if (body.accountId !== undefined && !(await tenants.getMembership(tx, principal.orgId, body.accountId))) {
          throw httpError('channels.account_not_member', 'accountId is not a member of this org.');
        }
        const { identity, created } = await channels.store.resolveIdentity(tx, {
          identityId: newId('chi'),
          orgId: principal.orgId,
          provider: body.provider,
          externalWorkspaceId: body.externalWorkspaceId ?? null,
          externalUserId: body.externalUserId,
          accountId: body.accountId ?? null,
          role: body.role ?? 'member',
          status: body.status ?? 'active',
          metadata: body.metadata ?? {},
          update: { accountId: body.accountId, role: body.role, status: body.status, metadata: body.metadata },
        });
        await channels.audit(tx, principal, {
          action: created ? 'channel_identity.created' : 'channel_identity.resolved',
          targetType: 'channel_identity',
          targetId: identity.identityId,
          metadata: { provider: identity.provider, role: identity.role, status: identity.status },
        });
        return { status: 200, body: { identity: { ...identity, metadata: sanitiseObject(identity.metadata) } } };
      }),
  );
}
