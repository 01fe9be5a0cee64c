import type { AdminAuditEvent } from '@open-cowork/shared';
import type { AuditStore } from '../store/audit.js';
import type { Db, Queryable } from '../store/db.js';

/** Who did it: a principal, or anything with its three identifying fields. */
export interface AuditActor {
  orgId: string;
  userId: string | null;
  tokenId: string | null;
}

export interface AuditEntry {
  /** `<domain>.<verb>` in the past tense, e.g. `byok_secret.set`, `member.invited`. */
  action: string;
  targetType: string;
  targetId: string;
  /** What changed; never a secret. */
  metadata?: Record<string, unknown>;
}

/**
 * The audit log of mutations. Every mutation records one event per change it made, through the
 * executor of the change (its transaction, when it has one) so the event commits or rolls back with it.
 */
export function createAuditService(deps: { db: Db; store: AuditStore }) {
  const { db, store } = deps;
  return {
    record(q: Queryable, actor: AuditActor, entry: AuditEntry): Promise<AdminAuditEvent> {
      return store.append(q, {
        orgId: actor.orgId,
        actorUserId: actor.userId,
        actorTokenId: actor.tokenId,
        action: entry.action,
        targetType: entry.targetType,
        targetId: entry.targetId,
        ...(entry.metadata ? { metadata: entry.metadata } : {}),
      });
    },
    list: (orgId: string, options: Parameters<AuditStore['list']>[2]) => store.list(db, orgId, options),
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
