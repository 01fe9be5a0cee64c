import type { CloudErrorCode, CloudUsageSummary, UsageEvent, UsageQuota } from '@open-cowork/shared';
import type { QuotaLimits } from '../account-config.js';
import { httpError } from '../errors.js';
import type { Db, Queryable } from '../store/db.js';
import type { UsageRecordInput, UsageStore } from '../store/usage.js';

/** Event types this server records. Other domains may record their own (any short string). */
export const USAGE_EVENT_TYPES = {
  /** One accepted session or channel prompt. */
  prompt: 'prompt',
  /** One channel delivery claimed by a gateway. */
  gatewayDelivery: 'gateway_delivery',
} as const;

export type QuotaKey = 'prompts:hour' | 'gateway_deliveries:hour';

interface QuotaDefinition {
  quotaKey: QuotaKey;
  label: string;
  eventType: string;
  unit: UsageQuota['unit'];
  windowMs: number;
  policyCode: CloudErrorCode;
  limit: (limits: QuotaLimits) => number | null;
}

const HOUR_MS = 60 * 60 * 1000;

const QUOTAS: readonly QuotaDefinition[] = [
  {
    quotaKey: 'prompts:hour',
    label: 'Prompts per hour',
    eventType: USAGE_EVENT_TYPES.prompt,
    unit: 'count',
    windowMs: HOUR_MS,
    policyCode: 'quota.prompts_per_hour_exceeded',
    limit: (limits) => limits.promptsPerHour,
  },
  {
    quotaKey: 'gateway_deliveries:hour',
    label: 'Gateway deliveries per hour',
    eventType: USAGE_EVENT_TYPES.gatewayDelivery,
    unit: 'count',
    windowMs: HOUR_MS,
    policyCode: 'quota.gateway_deliveries_per_hour_exceeded',
    limit: (limits) => limits.gatewayDeliveriesPerHour,
  },
];

/** Fixed windows aligned on the clock (e.g. the current hour), so `resetAt` is the same for everyone. */
function windowOf(definition: QuotaDefinition, now: number) {
  const start = Math.floor(now / definition.windowMs) * definition.windowMs;
  return { start, end: start + definition.windowMs };
}

const DEFAULT_USAGE_LIMIT = 100;

/**
 * Metered usage and quotas. Activity records events (`record`); a quota-limited action first calls
 * `enforceQuota` in its transaction, which answers 429 with the quota's code and `retryAfterMs`
 * (until the window resets) when the org has used it up.
 */
export function createUsageService(deps: { db: Db; store: UsageStore; limits: QuotaLimits }) {
  const { db, store, limits } = deps;

  async function quotaState(q: Queryable, orgId: string, definition: QuotaDefinition, now: number): Promise<UsageQuota> {
    const limit = definition.limit(limits);
    const { start, end } = windowOf(definition, now);
    const used = await store.sumSince(q, orgId, definition.eventType, new Date(start).toISOString());
    return {
      quotaKey: definition.quotaKey,
      label: definition.label,
      unit: definition.unit,
      enabled: limit !== null,
      limit,
      used,
      remaining: limit === null ? null : Math.max(0, limit - used),
      windowMs: definition.windowMs,
      windowStartedAt: new Date(start).toISOString(),
      resetAt: new Date(end).toISOString(),
      policyCode: definition.policyCode,
    };
  }

  return {
    /** Records one usage event through `q`: the transaction of the activity when there is one. */
    record(q: Queryable, input: UsageRecordInput): Promise<UsageEvent> {
      return store.append(q, input);
    },

    /**
     * Throws 429 when recording `quantity` more would exceed the org's quota. It takes a per-org,
     * per-quota advisory lock first, held until the end of the transaction `q` (when it is one), so
     * that concurrent requests cannot both take the last unit.
     */
    async enforceQuota(q: Queryable, orgId: string, quotaKey: QuotaKey, quantity = 1): Promise<void> {
      const definition = QUOTAS.find((quota) => quota.quotaKey === quotaKey);
      if (!definition || definition.limit(limits) === null) return;
      await q.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`quota:${orgId}:${quotaKey}`]);
      const now = Date.now();
      const state = await quotaState(q, orgId, definition, now);
      if (state.limit !== null && state.used + quantity > state.limit) {
        const retryAfterMs = Math.max(1, Date.parse(state.resetAt) - now);
        throw httpError(definition.policyCode, `The ${definition.label.toLowerCase()} quota of ${state.limit} is used up.`, {
          retryAfterMs,
          body: {
            verdict: {
              allowed: false,
              reason: `The ${definition.label.toLowerCase()} quota is used up.`,
              policyCode: definition.policyCode,
            },
          },
        });
      }
    },

    /** The most recent events, newest first. */
    listEvents(orgId: string, limit = DEFAULT_USAGE_LIMIT): Promise<UsageEvent[]> {
      return store.recent(db, orgId, limit);
    },

    /** Recent events, their totals (over those events only) and every quota window. */
    async summary(orgId: string, limit = DEFAULT_USAGE_LIMIT): Promise<CloudUsageSummary> {
      const now = Date.now();
      const [events, totals, quotas] = await Promise.all([
        store.recent(db, orgId, limit),
        store.totals(db, orgId, limit),
        Promise.all(QUOTAS.map((definition) => quotaState(db, orgId, definition, now))),
      ]);
      return {
        enabled: true,
        generatedAt: new Date(now).toISOString(),
        totalsScope: 'recent_events',
        eventSampleLimit: limit,
        events,
        totals,
        quotas,
      };
    },
  };
}

export type UsageService = ReturnType<typeof createUsageService>;
