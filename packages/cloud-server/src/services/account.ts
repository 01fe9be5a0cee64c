import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { createAuditService, type AuditService } from './audit.js';
import { createBillingService, type BillingService } from './billing.js';
import { createByokService, type ByokService } from './byok.js';
import type { CommandObserver } from './commands.js';
import { createUsageService, USAGE_EVENT_TYPES, type UsageService } from './usage.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The audit log: `app.audit.record(q, principal, {action, targetType, targetId, metadata?})`. */
    audit: AuditService;
    /** Usage events and quotas: `app.usage.record(q, {orgId, accountId, eventType, quantity, unit, metadata?})`. */
    usage: UsageService;
    /** Entitlements and the subscription: `app.billing.requireEntitlement(principal, feature)` throws 402. */
    billing: BillingService;
    /** The org's BYOK provider secrets: `app.byok.set(principal, providerId, body)`, `validate`, `override`, `disable`. */
    byok: ByokService;
  }
}

/** The audit, usage and billing services every domain calls, and BYOK which needs them, shared as decorators. */
async function accountServicesPlugin(app: FastifyInstance) {
  const { db, stores, config } = app;
  const audit = createAuditService({ db, store: stores.audit });
  const billing = createBillingService({ config: config.billing, orgSlugs: { [app.defaultOrg.slug]: app.defaultOrg.orgId } });
  app.decorate('audit', audit);
  app.decorate('usage', createUsageService({ db, store: stores.usage, limits: config.billing.quotas }));
  app.decorate('billing', billing);
  app.decorate('byok', createByokService({ db, store: stores.byok, audit, billing, config: config.byok }));
}

export const accountServices = fp(accountServicesPlugin, { name: 'account-services', dependencies: ['store', 'auth'] });

/**
 * What the account services do around every session command, inside its transaction: a prompt
 * needs the `prompts` entitlement and room in the hourly quota, and is metered once recorded;
 * every command is audited.
 */
export function accountCommandObserver(app: FastifyInstance): CommandObserver {
  return {
    async admit(tx, caller, request) {
      if (request.kind !== 'prompt') return;
      app.billing.requireEntitlement({ orgId: caller.tenantId }, 'prompts');
      await app.usage.enforceQuota(tx, caller.tenantId, 'prompts:hour');
    },
    async recorded(tx, caller, command) {
      const actor = { orgId: caller.tenantId, userId: caller.userId, tokenId: caller.tokenId ?? null };
      await app.audit.record(tx, actor, {
        action: `session.command.${command.kind}`,
        targetType: 'session',
        targetId: command.sessionId,
        metadata: { commandId: command.commandId },
      });
      if (command.kind !== 'prompt') return;
      await app.usage.record(tx, {
        orgId: caller.tenantId,
        accountId: caller.userId,
        eventType: USAGE_EVENT_TYPES.prompt,
        quantity: 1,
        unit: 'count',
        metadata: { sessionId: command.sessionId, commandId: command.commandId },
      });
    },
  };
}
