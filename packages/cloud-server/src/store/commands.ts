import type { SessionCommandKind, SessionCommandRecord, SessionCommandStatus } from '@open-cowork/shared';
import type { Queryable } from './db.js';
import { int, iso, isoOrNull, json } from './rows.js';

export interface NewSessionCommand {
  commandId: string;
  tenantId: string;
  userId: string;
  sessionId: string;
  kind: SessionCommandKind;
  payload: Record<string, unknown>;
  status: SessionCommandStatus;
  /** Session sequence when the command was accepted. */
  createdSequence: number;
  createdAt: string;
  ackedAt: string | null;
}

function toCommand(row: Record<string, unknown>): SessionCommandRecord {
  const createdAt = iso(row.created_at);
  const error = (row.error as string | null) ?? null;
  return {
    commandId: String(row.command_id),
    tenantId: String(row.tenant_id),
    userId: String(row.user_id),
    sessionId: String(row.session_id),
    kind: row.kind as SessionCommandKind,
    payload: row.payload as Record<string, unknown>,
    // Commands run inline in this server: nothing leases or claims them.
    targetLeaseToken: null,
    createdSequence: int(row.created_sequence),
    createdAt,
    status: row.status as SessionCommandStatus,
    claimedBy: null,
    claimedLeaseToken: null,
    ackedAt: isoOrNull(row.acked_at),
    error,
    attemptCount: int(row.attempt_count),
    availableAt: createdAt,
    lastErrorCode: (row.last_error_code as string | null) ?? null,
    lastErrorSummary: error,
  };
}

// Commands are only ever written inside the transaction that appends their events, so every
// method takes that transaction.
export function createCommandsStore() {
  return {
    async insert(tx: Queryable, command: NewSessionCommand): Promise<SessionCommandRecord> {
      const { rows } = await tx.query(
        `INSERT INTO session_commands (command_id, tenant_id, user_id, session_id, kind, payload, status,
           created_sequence, attempt_count, created_at, acked_at)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, 1, $9, $10) RETURNING *`,
        [
          command.commandId,
          command.tenantId,
          command.userId,
          command.sessionId,
          command.kind,
          json(command.payload),
          command.status,
          command.createdSequence,
          command.createdAt,
          command.ackedAt,
        ],
      );
      return toCommand(rows[0]!);
    },
  };
}

export type CommandsStore = ReturnType<typeof createCommandsStore>;
