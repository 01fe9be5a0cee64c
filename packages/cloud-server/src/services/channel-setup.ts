import {
  BUILT_IN_CHANNEL_PROVIDERS,
  type ChannelProviderSummary,
  type CreateChannelBindingInput,
  type CreateHeadlessAgentInput,
  type ListChannelIdentitiesInput,
  type ResolveChannelIdentityInput,
  type UpdateChannelBindingInput,
  type UpdateHeadlessAgentInput,
} from '@open-cowork/shared';
import type { Principal } from '../auth/principal.js';
import { httpError } from '../errors.js';
import type { IdempotentKey, IdempotentRunner } from '../idempotency.js';
import { newId } from '../ids.js';
import { credentialRefKind, publicBinding, type StoredChannelBinding } from '../store/channels.js';
import type { Db } from '../store/db.js';
import type { Stores } from '../store/stores.js';
import { type ChannelAccess, checkProvider, sanitiseObject } from './channel-access.js';

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

/**
 * The gateway's setup plane: providers, headless agents, channel bindings and channel identities.
 * Each change runs in its own transaction under the caller's `Idempotency-Key` and records its
 * audit event there. Creating and editing agents and creating bindings are admin routes; the rest
 * is for gateways and admins (`requireGatewayOrAdmin`), a gateway token limited to its bindings.
 */
export function createChannelSetupService(deps: {
  db: Db;
  idempotent: IdempotentRunner;
  channels: Stores['channels'];
  tenants: Stores['tenants'];
  access: ChannelAccess;
}) {
  const { db, idempotent, channels, tenants, access } = deps;

  return {
    /** The built-in providers, then the custom ones in use, with their binding counts. */
    async providers(principal: Principal, limit = 500): Promise<{ providers: ChannelProviderSummary[] }> {
      access.requireGatewayOrAdmin(principal);
      const counts = await channels.providerCounts(db, principal.orgId, access.scopeOf(principal));
      const ids = [
        ...BUILT_IN_CHANNEL_PROVIDERS,
        ...counts.map((count) => count.provider).filter((id) => !(BUILT_IN_CHANNEL_PROVIDERS as readonly string[]).includes(id)),
      ];
      const providers = ids.map((id): ChannelProviderSummary => {
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
      return { providers: providers.slice(0, limit) };
    },

    // -------------------------------------------------------------- agents

    async listAgents(principal: Principal, limit = 100) {
      access.requireGatewayOrAdmin(principal);
      return { agents: await channels.listAgents(db, principal.orgId, limit) };
    },

    createAgent: (principal: Principal, body: CreateHeadlessAgentInput, key: IdempotentKey | null) =>
      idempotent.transaction(key, async (tx) => {
        const agent = await channels.insertAgent(tx, {
          agentId: body.agentId ?? newId('agt'),
          orgId: principal.orgId,
          profileName: body.profileName ?? 'default',
          name: body.name,
          status: body.status ?? 'active',
          managed: body.managed ?? false,
          createdByAccountId: principal.userId,
        });
        if (!agent) throw httpError('channels.agent_id_unavailable', 'This agent id is already taken.');
        await access.audit(tx, principal, {
          action: 'channel_agent.created',
          targetType: 'headless_agent',
          targetId: agent.agentId,
          metadata: { name: agent.name },
        });
        return { status: 201, body: { agent } };
      }),

    updateAgent: (principal: Principal, agentId: string, body: UpdateHeadlessAgentInput, key: IdempotentKey | null) =>
      idempotent.transaction(key, async (tx) => {
        const agent = await channels.updateAgent(tx, principal.orgId, agentId, body);
        if (!agent) throw httpError('channels.agent_not_found', 'Headless agent was not found.');
        await access.audit(tx, principal, {
          action: 'channel_agent.updated',
          targetType: 'headless_agent',
          targetId: agent.agentId,
          metadata: { fields: Object.keys(body) },
        });
        return { status: 200, body: { agent } };
      }),

    // -------------------------------------------------------------- bindings

    async listBindings(principal: Principal, query: { agentId?: string | undefined; limit?: number | undefined }) {
      access.requireGatewayOrAdmin(principal);
      const filter = { agentId: query.agentId, scope: access.scopeOf(principal), limit: query.limit ?? 500 };
      return { bindings: (await channels.listBindings(db, principal.orgId, filter)).map(wireBinding) };
    },

    createBinding: (principal: Principal, body: CreateChannelBindingInput, key: IdempotentKey | null) =>
      idempotent.transaction(key, async (tx) => {
        checkProvider(body.provider);
        checkCredentialRef(body.credentialRef);
        const agent = await channels.getAgent(tx, principal.orgId, body.agentId);
        if (!agent) throw httpError('channels.agent_not_found', 'Headless agent was not found.');
        const binding = await channels.insertBinding(tx, {
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
        await access.audit(tx, principal, {
          action: 'channel_binding.created',
          targetType: 'channel_binding',
          targetId: binding.bindingId,
          metadata: { agentId: agent.agentId, provider: binding.provider, credentialRefKind: binding.credentialRefKind },
        });
        return { status: 201, body: { binding: wireBinding(binding) } };
      }),

    /** Gateways may update (e.g. flag `auth_required`) the bindings they were granted. */
    updateBinding: (principal: Principal, bindingId: string, body: UpdateChannelBindingInput, key: IdempotentKey | null) =>
      idempotent.transaction(key, async (tx) => {
        access.requireGatewayOrAdmin(principal);
        checkCredentialRef(body.credentialRef);
        await access.binding(tx, principal, bindingId);
        const binding = await channels.updateBinding(tx, principal.orgId, bindingId, body);
        if (!binding) throw httpError('channels.binding_not_found', 'Channel binding was not found.');
        await access.audit(tx, principal, {
          action: body.status === 'disabled' ? 'channel_binding.disconnected' : 'channel_binding.updated',
          targetType: 'channel_binding',
          targetId: binding.bindingId,
          metadata: { fields: Object.keys(body), status: binding.status },
        });
        return { status: 200, body: { binding: wireBinding(binding) } };
      }),

    // -------------------------------------------------------------- identities

    async listIdentities(principal: Principal, query: ListChannelIdentitiesInput) {
      access.requireGatewayOrAdmin(principal);
      const identities = await channels.listIdentities(db, principal.orgId, { ...query, limit: query.limit ?? 100 });
      return { identities: identities.map((identity) => ({ ...identity, metadata: sanitiseObject(identity.metadata) })) };
    },

    /** Finds or creates the identity of a provider user; only admins set its account, role or status. */
    resolveIdentity: (principal: Principal, body: ResolveChannelIdentityInput, key: IdempotentKey | null) =>
      idempotent.transaction(key, async (tx) => {
        access.requireGatewayOrAdmin(principal);
        checkProvider(body.provider);
        if (body.channelBindingId) await access.bindingFor(tx, principal, body.channelBindingId, body.provider);
        // Linking a provider user to an account or changing its role is an admin decision, not a gateway's.
        const privileged = body.accountId !== undefined || body.role !== undefined || body.status !== undefined;
        if (privileged && !access.isAdmin(principal)) {
          throw httpError('channels.identity_admin_required', 'Only admins set the account, role or status of a channel identity.');
        }
        if (body.accountId !== undefined && !(await tenants.getMembership(tx, principal.orgId, body.accountId))) {
          throw httpError('channels.account_not_member', 'accountId is not a member of this org.');
        }
        const { identity, created } = await channels.resolveIdentity(tx, {
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
        await access.audit(tx, principal, {
          action: created ? 'channel_identity.created' : 'channel_identity.resolved',
          targetType: 'channel_identity',
          targetId: identity.identityId,
          metadata: { provider: identity.provider, role: identity.role, status: identity.status },
        });
        return { status: 200, body: { identity: { ...identity, metadata: sanitiseObject(identity.metadata) } } };
      }),
  };
}

export type ChannelSetupService = ReturnType<typeof createChannelSetupService>;
