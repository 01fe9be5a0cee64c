import fp from 'fastify-plugin';
import { isChannelProviderId, type ArtifactWithContent } from '@open-cowork/shared';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { heldByToken, type Principal } from '../auth/principal.js';
import { httpError } from '../errors.js';
import type { ChannelDeliveriesStore } from '../store/channel-deliveries.js';
import type { ChannelInboundStore } from '../store/channel-inbound.js';
import type { ChannelsStore, StoredChannelBinding } from '../store/channels.js';
import type { Queryable } from '../store/db.js';
import { idempotentKeyOf, runIdempotent, sendIdempotent } from '../idempotency.js';
import type { AuditEntry } from './audit.js';
import { type ChannelDeliveryService, createChannelDeliveryService } from './channel-deliveries.js';
import { createDeliveryStreams, type DeliveryStreams } from './deliveries.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The gateway / headless-agent plane: stores and the rules every channel route applies. */
    channels: ChannelsService;
  }
}

// ------------------------------------------------------------------ public sanitiser

const SECRET_KEY = /(secret|token|password|passwd|api[-_]?key|credential|authorization|cookie|private[-_]?key|signature)/i;
const MAX_STRING = 512;
const MAX_DEPTH = 4;
const MAX_ITEMS = 50;

/**
 * What REST lists show of free-form JSON (delivery payload/target, binding settings, identity
 * metadata): strings cut at 512 characters, secret-looking keys redacted, depth ≤ 4, arrays ≤ 50.
 */
export function sanitisePublic(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return Array.isArray(value) ? '[array]' : '[object]';
  if (Array.isArray(value)) return value.slice(0, MAX_ITEMS).map((item) => sanitisePublic(item, depth + 1));
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) result[key] = SECRET_KEY.test(key) ? '[redacted]' : sanitisePublic(item, depth + 1);
  return result;
}

export const sanitiseObject = (value: Record<string, unknown>) => sanitisePublic(value) as Record<string, unknown>;

/** 400 unless `provider` is a built-in provider or a custom id containing '-'. */
export function checkProvider(provider: string): void {
  if (!isChannelProviderId(provider)) {
    throw httpError('channels.provider_invalid', 'provider must be a built-in provider or a custom id containing "-".');
  }
}

/** 400 `channels.provider_mismatch` unless `provider` is the provider of the (channel or session) binding. */
export function requireSameProvider(binding: { provider: string }, provider: string, what: 'channel binding' | 'session binding'): void {
  if (binding.provider !== provider) throw httpError('channels.provider_mismatch', `provider does not match the ${what}.`);
}

/** What a mutating channel route answers. */
interface RouteResult {
  status: number;
  body: unknown;
}

type ChannelArtifact = ArtifactWithContent;

// ------------------------------------------------------------------ the service

/** Stores, access rules, idempotency, audit and the delivery streams of the channel routes. */
async function channelServicesPlugin(app: FastifyInstance) {
  const { channels: store, channelInbound: inbound, channelDeliveries: deliveries, artifacts } = app.stores;
  const streams = await createDeliveryStreams({ db: app.db, store: deliveries, engine: app.streams.engine, log: app.log });

  /** The bindings the caller is limited to (gateway tokens), or null for "all of the org". */
  const scopeOf = (principal: Principal): string[] | null => principal.channelBindingIds;

  // The rules of the delivery queue; they check bindings and audit through this service.
  const deliveryService = createChannelDeliveryService({
    store: deliveries,
    channels: store,
    binding: (tx, principal, bindingId) => service.binding(tx, principal, bindingId),
    audit: (tx, principal, entry) => service.audit(tx, principal, entry),
    notify: streams.notify,
    policy: streams.settings,
  });

  const service = {
    store,
    deliveryService,
    inbound,
    deliveries,
    streams,
    scopeOf,

    /**
     * The gateway plane is for gateways and admins: a token needs the `gateway` or `admin` scope,
     * a signed-in person the owner or admin role; and the org must be entitled to `channels` (402).
     */
    requireGatewayOrAdmin(principal: Principal): void {
      const allowed = heldByToken(principal)
        ? principal.scopes.includes('gateway') || principal.scopes.includes('admin')
        : principal.role === 'owner' || principal.role === 'admin';
      if (!allowed) throw httpError('channels.gateway_required', 'Channel routes need a gateway or admin token, or an org admin.');
      app.billing.requireEntitlement(principal, 'channels');
    },

    /** Whether the caller administers the org (not just serves some bindings). */
    isAdmin(principal: Principal): boolean {
      return heldByToken(principal) ? principal.scopes.includes('admin') : principal.role === 'owner' || principal.role === 'admin';
    },

    /** 403 unless a gateway token was granted `bindingId` (unrestricted callers pass). */
    assertGranted(principal: Principal, bindingId: string): void {
      const scope = scopeOf(principal);
      if (scope && !scope.includes(bindingId)) {
        throw httpError('channels.binding_not_granted', 'This gateway token was not granted that channel binding.');
      }
    },

    /** The caller's binding: 404 when absent, 403 when a gateway token was not granted it. */
    async binding(q: Queryable, principal: Principal, bindingId: string): Promise<StoredChannelBinding> {
      service.assertGranted(principal, bindingId);
      const binding = await store.getBinding(q, principal.orgId, bindingId);
      if (!binding) throw httpError('channels.binding_not_found', 'Channel binding was not found.');
      return binding;
    },

    /** The caller's binding (as `binding`), and 400 `channels.provider_mismatch` unless it is of `provider`. */
    async bindingFor(q: Queryable, principal: Principal, bindingId: string, provider: string): Promise<StoredChannelBinding> {
      const binding = await service.binding(q, principal, bindingId);
      requireSameProvider(binding, provider, 'channel binding');
      return binding;
    },

    /** The session binding: 404 when absent, 403 when its channel binding is not granted. */
    async sessionBinding(q: Queryable, principal: Principal, sessionBindingId: string) {
      const binding = await store.getSessionBinding(q, principal.orgId, sessionBindingId);
      if (!binding) throw httpError('channels.session_binding_not_found', 'Channel session binding was not found.');
      service.assertGranted(principal, binding.channelBindingId);
      return binding;
    },

    /** An artifact of the bound session, with its content (read as the session's owner). */
    async readArtifact(
      owner: { tenantId: string; userId: string },
      sessionId: string,
      artifactId: string,
    ): Promise<ChannelArtifact | null> {
      const found = await artifacts.content(app.db, owner, sessionId, artifactId);
      return found ? { ...found.artifact, dataBase64: found.data.toString('base64') } : null;
    },

    /** Records a mutation in the audit log through `tx`, so that it commits with the change. */
    audit(tx: Queryable, principal: Principal, entry: AuditEntry) {
      return app.audit.record(tx, { orgId: principal.orgId, userId: principal.userId, tokenId: principal.tokenId }, entry);
    },

    /**
     * Runs a mutating route under its `Idempotency-Key` (src/idempotency.ts, `runIdempotent`): the
     * same key with the same request answers the first response; with a different request, 409
     * `idempotency.key_reused`. The work runs in the transaction `tx` that stores the (sealed) response,
     * so a failure leaves neither the change nor the key, and a crash after the commit leaves the
     * response for the retry.
     */
    async respond(request: FastifyRequest, reply: FastifyReply, work: (tx: Queryable) => Promise<RouteResult>): Promise<FastifyReply> {
      const key = idempotentKeyOf(request, {
        method: request.method,
        route: request.routeOptions.url,
        params: request.params,
        body: request.body,
      });
      return sendIdempotent(reply, await app.db.transaction((tx) => runIdempotent(tx, key, work)));
    },
  };

  app.decorate('channels', service);
  app.addHook('preClose', () => streams.close());
}

type ChannelsService = {
  store: ChannelsStore;
  deliveryService: ChannelDeliveryService;
  inbound: ChannelInboundStore;
  deliveries: ChannelDeliveriesStore;
  streams: DeliveryStreams;
  scopeOf(principal: Principal): string[] | null;
  requireGatewayOrAdmin(principal: Principal): void;
  isAdmin(principal: Principal): boolean;
  assertGranted(principal: Principal, bindingId: string): void;
  binding(q: Queryable, principal: Principal, bindingId: string): Promise<StoredChannelBinding>;
  bindingFor(q: Queryable, principal: Principal, bindingId: string, provider: string): Promise<StoredChannelBinding>;
  sessionBinding(
    q: Queryable,
    principal: Principal,
    sessionBindingId: string,
  ): ReturnType<ChannelsStore['getSessionBinding']> extends Promise<infer T> ? Promise<NonNullable<T>> : never;
  audit(tx: Queryable, principal: Principal, entry: AuditEntry): Promise<unknown>;
  respond(request: FastifyRequest, reply: FastifyReply, work: (tx: Queryable) => Promise<RouteResult>): Promise<FastifyReply>;
  readArtifact(owner: { tenantId: string; userId: string }, sessionId: string, artifactId: string): Promise<ChannelArtifact | null>;
};

export const channelServices = fp(channelServicesPlugin, {
  name: 'channel-services',
  dependencies: ['store', 'auth', 'account-services', 'session-services'],
});
