import type { CloudErrorCode, CloudUsageSummary, UsageEvent, UsageQuota } from '@open-cowork/shared';
import type { QuotaLimits } from '../account-config.js';
import { httpError } from '../errors.js';
import type { Queryable } from '../store/db.js';
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

export const DEFAULT_USAGE_LIMIT = 100;

/**
 * Metered usage and quotas. Activity records events (`record`); a quota-limited action first calls
 * `enforceQuota` in its transaction, which answers 429 with the quota's code and `retryAfterMs`
 * (until the window resets) when the org has used it up.
 */
export function createUsageService(deps: { store: UsageStore; limits: QuotaLimits }) {
  const { store, limits } = deps;

  async function quotaState(orgId: string, definition: QuotaDefinition, now: number, q?: Queryable): Promise<UsageQuota> {
    const limit = definition.limit(limits);
    const { start, end } = windowOf(definition, now);
    const used = await store.sumSince(orgId, definition.eventType, new Date(start).toISOString(), q);
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
    /** Records one usage event; pass the transaction of the activity as `tx` when there is one. */
    record(input: UsageRecordInput, tx?: Queryable): Promise<UsageEvent> {
      return store.append(input, tx);
    },

    /**
     * Throws 429 when recording `quantity` more would exceed the org's quota. Inside a transaction
     * it takes a per-org, per-quota advisory lock first, so that concurrent requests cannot both
     * take the last unit.
     */
    async enforceQuota(orgId: string, quotaKey: QuotaKey, tx?: Queryable, quantity = 1): Promise<void> {
      const definition = QUOTAS.find((quota) => quota.quotaKey === quotaKey);
      if (!definition || definition.limit(limits) === null) return;
      if (tx) await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`quota:${orgId}:${quotaKey}`]);
      const now = Date.now();
      const state = await quotaState(orgId, definition, now, tx);
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
      return store.recent(orgId, limit);
    },

    /** Recent events, their totals (over those events only) and every quota window. */
    async summary(orgId: string, limit = DEFAULT_USAGE_LIMIT): Promise<CloudUsageSummary> {
      const now = Date.now();
      const [events, totals, quotas] = await Promise.all([
        store.recent(orgId, limit),
        store.totals(orgId, limit),
        Promise.all(QUOTAS.map((definition) => quotaState(orgId, definition, now))),
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
