import type { BillingPlan, BillingSubscriptionPayload, CloudErrorCode } from '@open-cowork/shared';
import type { BillingConfig } from '../account-config.js';
import { httpError } from '../errors.js';

/** Features the server gates. An entitlement not configured is granted (self-host). */
const BILLING_FEATURES = ['sessions', 'prompts', 'byok', 'workflows', 'channels', 'artifacts', 'workers'] as const;

/** The 402 code of a missing entitlement; other features get `feature_not_entitled`. */
const FEATURE_CODES: Record<string, CloudErrorCode> = {
  sessions: 'billing.sessions_not_entitled',
  prompts: 'billing.prompts_not_entitled',
  workers: 'billing.workers_not_entitled',
  byok: 'billing.provider_not_entitled',
};

export interface EntitledOrg {
  orgId: string;
}

/**
 * Billing in self-host mode: no payment provider, every org active, entitlements from configuration
 * (server-wide, then per org). `requireEntitlement` is synchronous: it throws the 402 to answer.
 */
export function createBillingService(deps: { config: BillingConfig; orgSlugs: Record<string, string> }) {
  const { config } = deps;
  /** Per-org overrides by org id: configured ones (slugs resolved), then runtime changes. */
  const overrides = new Map<string, Record<string, boolean>>();
  for (const [key, entitlements] of Object.entries(config.orgEntitlements)) {
    overrides.set(deps.orgSlugs[key] ?? key, { ...entitlements });
  }

  function entitlements(orgId: string): Record<string, boolean> {
    const effective: Record<string, boolean> = Object.fromEntries(BILLING_FEATURES.map((feature) => [feature, true]));
    return { ...effective, ...config.entitlements, ...overrides.get(orgId) };
  }

  const plan = (orgId: string): BillingPlan => ({
    planKey: 'self-host',
    label: 'Self-hosted',
    default: true,
    entitlements: entitlements(orgId),
  });

  const providerMissing = () =>
    httpError('billing.provider_not_configured', 'No billing provider is configured on this server: billing is self-hosted.');

  return {
    entitlements,

    /** Throws 402 (`billing.<feature>_not_entitled` or `billing.feature_not_entitled`) unless the org has `feature`. */
    requireEntitlement(principal: EntitledOrg, feature: string): void {
      if (config.mode === 'disabled') return;
      if (entitlements(principal.orgId)[feature] !== false) return;
      throw httpError(FEATURE_CODES[feature] ?? 'billing.feature_not_entitled', `This org is not entitled to ${feature}.`, {
        body: { feature },
      });
    },

    /** Changes an org's entitlements at runtime (operator tooling and tests); merges into the current ones. */
    setOrgEntitlements(orgId: string, patch: Record<string, boolean>): void {
      overrides.set(orgId, { ...overrides.get(orgId), ...patch });
    },

    subscription(orgId: string): BillingSubscriptionPayload {
      return {
        enabled: false,
        mode: config.mode,
        providerId: config.providerId,
        subscription: null,
        entitlements: entitlements(orgId),
        active: true,
        plans: [plan(orgId)],
      };
    },

    /** No provider is built in: checkout and portal answer 501 `billing.provider_not_configured`. */
    checkout(): never {
      throw providerMissing();
    },
    portal(): never {
      throw providerMissing();
    },
  };
}

export type BillingService = ReturnType<typeof createBillingService>;
