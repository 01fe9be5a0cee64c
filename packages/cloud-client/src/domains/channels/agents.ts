import {
  CHANNEL_BINDING_STATUSES as BINDING_STATUSES,
  CHANNEL_IDENTITY_ROLES as IDENTITY_ROLES,
  CHANNEL_IDENTITY_STATUSES as IDENTITY_STATUSES,
  HEADLESS_AGENT_STATUSES as AGENT_STATUSES,
  type ChannelBinding,
  type ChannelIdentity,
  type ChannelProviderSummary,
  type CreateChannelBindingInput,
  type CreateHeadlessAgentInput,
  type HeadlessAgent,
  type ListChannelIdentitiesInput,
  type ResolveChannelIdentityInput,
  type UpdateChannelBindingInput,
  type UpdateHeadlessAgentInput,
} from '@open-cowork/shared';
import { commandSender, type CloudClientContext, type CloudCommandOptions } from '../../core/context.js';
import { apiPath } from '../../core/path.js';
import {
  check,
  isNonEmpty,
  isObject,
  optionalObject,
  optionalOneOf,
  optionalPositiveInteger,
  optionalStrings,
  requireObject,
} from '../../core/validate.js';
import { checkProvider, requireFields } from './common.js';

/** Query of the capped (non-cursor) channel lists. */
export interface ChannelListQuery {
  limit?: number;
}

function limitQuery(method: string, query: ChannelListQuery | undefined) {
  const input = optionalObject(query, `${method}: input`);
  optionalPositiveInteger(input.limit, `${method}: limit`);
  return { limit: input.limit };
}

function checkSettings(method: string, input: { settings?: unknown }): void {
  check(input.settings === undefined || isObject(input.settings), `${method}: settings must be an object.`);
}

/** The gateway's setup plane: providers, headless agents, channel bindings and channel identities. */
export function createChannelAgentsClient(ctx: CloudClientContext) {
  const send = commandSender(ctx);

  return {
    /** `GET /api/channels/providers?limit` → `.providers`: each provider with its binding counts. */
    async listChannelProviders(query?: ChannelListQuery): Promise<ChannelProviderSummary[]> {
      const request = { query: limitQuery('listChannelProviders', query) };
      return (await ctx.request<{ providers: ChannelProviderSummary[] }>('/api/channels/providers', request)).providers;
    },

    /** `GET /api/channels/agents?limit` → `.agents`. */
    async listHeadlessAgents(query?: ChannelListQuery): Promise<HeadlessAgent[]> {
      const request = { query: limitQuery('listHeadlessAgents', query) };
      return (await ctx.request<{ agents: HeadlessAgent[] }>('/api/channels/agents', request)).agents;
    },

    /** `POST /api/channels/agents` (201) → `.agent`; a caller-chosen `agentId` already taken is kind `conflict`. */
    async createHeadlessAgent(input: CreateHeadlessAgentInput, options?: CloudCommandOptions): Promise<HeadlessAgent> {
      requireFields('createHeadlessAgent', input, ['name']);
      optionalOneOf(input.status, AGENT_STATUSES, 'createHeadlessAgent: status');
      return (await send<{ agent: HeadlessAgent }>('POST', '/api/channels/agents', input, options)).agent;
    },

    /** `PATCH /api/channels/agents/:id` → `.agent`; missing is kind `not_found`. */
    async updateHeadlessAgent(agentId: string, input: UpdateHeadlessAgentInput, options?: CloudCommandOptions): Promise<HeadlessAgent> {
      const path = apiPath`/api/channels/agents/${agentId}`;
      requireObject(input, 'updateHeadlessAgent: input');
      optionalOneOf(input.status, AGENT_STATUSES, 'updateHeadlessAgent: status');
      return (await send<{ agent: HeadlessAgent }>('PATCH', path, input, options)).agent;
    },

    /** `GET /api/channels/bindings?agentId` → `.bindings` (all agents when `agentId` is absent). */
    async listChannelBindings(agentId?: string): Promise<ChannelBinding[]> {
      check(agentId === undefined || isNonEmpty(agentId), 'listChannelBindings: agentId must be a non-empty string.');
      const request = { query: { agentId } };
      return (await ctx.request<{ bindings: ChannelBinding[] }>('/api/channels/bindings', request)).bindings;
    },

    /** `POST /api/channels/bindings` (201) → `.binding`. `credentialRef` is a reference, never the secret. */
    async createChannelBinding(input: CreateChannelBindingInput, options?: CloudCommandOptions): Promise<ChannelBinding> {
      requireFields('createChannelBinding', input, ['agentId', 'displayName']);
      checkProvider('createChannelBinding', input);
      optionalOneOf(input.status, BINDING_STATUSES, 'createChannelBinding: status');
      checkSettings('createChannelBinding', input);
      return (await send<{ binding: ChannelBinding }>('POST', '/api/channels/bindings', input, options)).binding;
    },

    /** `PATCH /api/channels/bindings/:id` → `.binding`; missing is kind `not_found`. */
    async updateChannelBinding(
      bindingId: string,
      input: UpdateChannelBindingInput,
      options?: CloudCommandOptions,
    ): Promise<ChannelBinding> {
      const path = apiPath`/api/channels/bindings/${bindingId}`;
      requireObject(input, 'updateChannelBinding: input');
      optionalOneOf(input.status, BINDING_STATUSES, 'updateChannelBinding: status');
      checkSettings('updateChannelBinding', input);
      return (await send<{ binding: ChannelBinding }>('PATCH', path, input, options)).binding;
    },

    /** `PATCH /api/channels/bindings/:id` with `{status: 'disabled'}` → `.binding`. Reversible by setting `active`. */
    async disconnectChannelBinding(bindingId: string, options?: CloudCommandOptions): Promise<ChannelBinding> {
      const path = apiPath`/api/channels/bindings/${bindingId}`;
      return (await send<{ binding: ChannelBinding }>('PATCH', path, { status: 'disabled' }, options)).binding;
    },

    /** `GET /api/channels/identities?provider&externalWorkspaceId&role&status&limit` → `.identities`. */
    async listChannelIdentities(query?: ListChannelIdentitiesInput): Promise<ChannelIdentity[]> {
      const input = optionalObject(query, 'listChannelIdentities: input');
      checkProvider('listChannelIdentities', input, false);
      optionalOneOf(input.role, IDENTITY_ROLES, 'listChannelIdentities: role');
      optionalOneOf(input.status, IDENTITY_STATUSES, 'listChannelIdentities: status');
      optionalPositiveInteger(input.limit, 'listChannelIdentities: limit');
      optionalStrings({ externalWorkspaceId: input.externalWorkspaceId }, 'listChannelIdentities: ');
      const { provider, externalWorkspaceId, role, status, limit } = input;
      const request = { query: { provider, externalWorkspaceId, role, status, limit } };
      return (await ctx.request<{ identities: ChannelIdentity[] }>('/api/channels/identities', request)).identities;
    },

    /** `POST /api/channels/identities/resolve` → `.identity`: finds or creates the provider user. */
    async resolveChannelIdentity(input: ResolveChannelIdentityInput, options?: CloudCommandOptions): Promise<ChannelIdentity> {
      requireFields('resolveChannelIdentity', input, ['externalUserId']);
      checkProvider('resolveChannelIdentity', input);
      optionalOneOf(input.role, IDENTITY_ROLES, 'resolveChannelIdentity: role');
      optionalOneOf(input.status, IDENTITY_STATUSES, 'resolveChannelIdentity: status');
      const path = '/api/channels/identities/resolve';
      return (await send<{ identity: ChannelIdentity }>('POST', path, input, options)).identity;
    },
  };
}
