import type { AdminAuditEvent } from '@open-cowork/shared';
import type { AuditStore } from '../store/audit.js';
import type { Queryable } from '../store/db.js';

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
 * The audit log of mutations. Every mutating route calls `record` once per change it made: pass
 * the transaction as `tx` so the event commits (or rolls back) with the change it describes.
 */
export function createAuditService(store: AuditStore) {
  return {
    record(actor: AuditActor, entry: AuditEntry, tx?: Queryable): Promise<AdminAuditEvent> {
      return store.append(
        {
          orgId: actor.orgId,
          actorUserId: actor.userId,
          actorTokenId: actor.tokenId,
          action: entry.action,
          targetType: entry.targetType,
          targetId: entry.targetId,
          ...(entry.metadata ? { metadata: entry.metadata } : {}),
        },
        tx,
      );
    },
    list: store.list,
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
