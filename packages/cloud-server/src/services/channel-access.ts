import { isChannelProviderId } from '@open-cowork/shared';
import { heldByToken, type Principal } from '../auth/principal.js';
import { httpError } from '../errors.js';
import type { Queryable } from '../store/db.js';
import type { Stores } from '../store/stores.js';
import type { AuditEntry, AuditService } from './audit.js';
import type { BillingService } from './billing.js';

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

// ------------------------------------------------------------------ provider checks

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

// ------------------------------------------------------------------ access rules

/**
 * The access rules every channel service applies: the gateway plane is for gateways and admins,
 * and a gateway token acts only on the channel bindings it was granted. Also the audit record of
 * a channel change, written through the change's transaction.
 */
export function createChannelAccess(deps: { channels: Stores['channels']; billing: BillingService; audit: AuditService }) {
  const { channels, billing, audit } = deps;

  /** The bindings the caller is limited to (gateway tokens), or null for "all of the org". */
  const scopeOf = (principal: Principal): string[] | null => principal.channelBindingIds;

  /** Whether the caller administers the org (not just serves some bindings). */
  const isAdmin = (principal: Principal): boolean =>
    heldByToken(principal) ? principal.scopes.includes('admin') : principal.role === 'owner' || principal.role === 'admin';

  /** 403 unless a gateway token was granted `bindingId` (unrestricted callers pass). */
  const assertGranted = (principal: Principal, bindingId: string): void => {
    const scope = scopeOf(principal);
    if (scope && !scope.includes(bindingId)) {
      throw httpError('channels.binding_not_granted', 'This gateway token was not granted that channel binding.');
    }
  };

  /** The caller's binding: 404 when absent, 403 when a gateway token was not granted it. */
  const binding = async (q: Queryable, principal: Principal, bindingId: string) => {
    assertGranted(principal, bindingId);
    const found = await channels.getBinding(q, principal.orgId, bindingId);
    if (!found) throw httpError('channels.binding_not_found', 'Channel binding was not found.');
    return found;
  };

  return {
    scopeOf,
    isAdmin,
    assertGranted,
    binding,

    /**
     * A token needs the `gateway` or `admin` scope, a signed-in person the owner or admin role; and
     * the org must be entitled to `channels` (402).
     */
    requireGatewayOrAdmin(principal: Principal): void {
      const allowed = heldByToken(principal)
        ? principal.scopes.includes('gateway') || principal.scopes.includes('admin')
        : principal.role === 'owner' || principal.role === 'admin';
      if (!allowed) throw httpError('channels.gateway_required', 'Channel routes need a gateway or admin token, or an org admin.');
      billing.requireEntitlement(principal, 'channels');
    },

    /** The caller's binding (as `binding`), and 400 `channels.provider_mismatch` unless it is of `provider`. */
    async bindingFor(q: Queryable, principal: Principal, bindingId: string, provider: string) {
      const found = await binding(q, principal, bindingId);
      requireSameProvider(found, provider, 'channel binding');
      return found;
    },

    /** The session binding: 404 when absent, 403 when its channel binding is not granted. */
    async sessionBinding(q: Queryable, principal: Principal, sessionBindingId: string) {
      const found = await channels.getSessionBinding(q, principal.orgId, sessionBindingId);
      if (!found) throw httpError('channels.session_binding_not_found', 'Channel session binding was not found.');
      assertGranted(principal, found.channelBindingId);
      return found;
    },

    /** Records a mutation in the audit log through `tx`, so that it commits with the change. */
    audit: (tx: Queryable, principal: Principal, entry: AuditEntry) =>
      audit.record(tx, { orgId: principal.orgId, userId: principal.userId, tokenId: principal.tokenId }, entry),
  };
}

export type ChannelAccess = ReturnType<typeof createChannelAccess>;
