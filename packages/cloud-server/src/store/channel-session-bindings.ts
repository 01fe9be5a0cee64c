import type { ChannelSessionBinding } from '@open-cowork/shared';
import type { Queryable } from './db.js';
import { int, iso, keyOf, textOrNull } from './rows.js';

/** A session binding with the account its session belongs to. */
export interface StoredSessionBinding extends ChannelSessionBinding {
  ownerUserId: string;
}

const toSessionBinding = (row: Record<string, unknown>): StoredSessionBinding => ({
  bindingId: String(row.binding_id),
  orgId: String(row.org_id),
  agentId: String(row.agent_id),
  channelBindingId: String(row.channel_binding_id),
  provider: String(row.provider),
  externalWorkspaceId: textOrNull(row.external_workspace_id),
  externalThreadId: String(row.external_thread_id),
  externalChatId: String(row.external_chat_id),
  sessionId: String(row.session_id),
  lastEventSequence: int(row.last_event_sequence),
  lastWorkspaceSequence: int(row.last_workspace_sequence),
  lastChatMessageId: textOrNull(row.last_chat_message_id),
  status: row.status as ChannelSessionBinding['status'],
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
  ownerUserId: String(row.owner_user_id),
});

export function publicSessionBinding({ ownerUserId: _owner, ...binding }: StoredSessionBinding): ChannelSessionBinding {
  return binding;
}

/** A provider's chat thread, the key of its session binding. */
export interface ChannelThread {
  provider: string;
  externalWorkspaceId: string | null;
  externalChatId: string;
  externalThreadId: string;
}

/** Session bindings: which session serves a provider thread, and how far the gateway has read it. */
export function createChannelSessionBindingsStore() {
  return {
    async getSessionBinding(q: Queryable, orgId: string, bindingId: string): Promise<StoredSessionBinding | null> {
      const { rows } = await q.query('SELECT * FROM channel_session_bindings WHERE org_id = $1 AND binding_id = $2', [orgId, bindingId]);
      return rows[0] ? toSessionBinding(rows[0]) : null;
    },

    /** Serialises the binds of one provider thread (across processes) until `tx` ends. */
    async lockThread(tx: Queryable, orgId: string, thread: ChannelThread): Promise<void> {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`channel-thread:${orgId}:${JSON.stringify(thread)}`]);
    },

    async findSessionBindingByThread(q: Queryable, orgId: string, thread: ChannelThread): Promise<StoredSessionBinding | null> {
      const { rows } = await q.query(
        `SELECT * FROM channel_session_bindings
          WHERE org_id = $1 AND provider = $2 AND external_workspace_id = $3 AND external_chat_id = $4 AND external_thread_id = $5`,
        [orgId, thread.provider, keyOf(thread.externalWorkspaceId), thread.externalChatId, thread.externalThreadId],
      );
      return rows[0] ? toSessionBinding(rows[0]) : null;
    },

    async insertSessionBinding(
      tx: Queryable,
      binding: Omit<StoredSessionBinding, 'createdAt' | 'updatedAt' | 'status'>,
    ): Promise<StoredSessionBinding> {
      const { rows } = await tx.query(
        `INSERT INTO channel_session_bindings (binding_id, org_id, agent_id, channel_binding_id, provider, external_workspace_id,
                external_chat_id, external_thread_id, session_id, owner_user_id, last_event_sequence, last_workspace_sequence, last_chat_message_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING *`,
        [
          binding.bindingId,
          binding.orgId,
          binding.agentId,
          binding.channelBindingId,
          binding.provider,
          keyOf(binding.externalWorkspaceId),
          binding.externalChatId,
          binding.externalThreadId,
          binding.sessionId,
          binding.ownerUserId,
          binding.lastEventSequence,
          binding.lastWorkspaceSequence,
          binding.lastChatMessageId,
        ],
      );
      return toSessionBinding(rows[0]!);
    },

    /**
     * Moves the read cursors forward. Null when the binding does not exist; `stale` when a stored
     * cursor is ahead of the given one (cursors never move backwards).
     */
    async updateCursor(
      q: Queryable,
      orgId: string,
      bindingId: string,
      cursor: { lastEventSequence: number; lastWorkspaceSequence: number; lastChatMessageId?: string | undefined },
    ): Promise<{ binding: StoredSessionBinding; stale: boolean } | null> {
      const { rows } = await q.query(
        `UPDATE channel_session_bindings SET last_event_sequence = $3, last_workspace_sequence = $4,
                last_chat_message_id = coalesce($5, last_chat_message_id), updated_at = now()
          WHERE org_id = $1 AND binding_id = $2 AND last_event_sequence <= $3 AND last_workspace_sequence <= $4
          RETURNING *`,
        [orgId, bindingId, cursor.lastEventSequence, cursor.lastWorkspaceSequence, cursor.lastChatMessageId ?? null],
      );
      if (rows[0]) return { binding: toSessionBinding(rows[0]), stale: false };
      const current = await q.query('SELECT * FROM channel_session_bindings WHERE org_id = $1 AND binding_id = $2', [orgId, bindingId]);
      return current.rows[0] ? { binding: toSessionBinding(current.rows[0]), stale: true } : null;
    },
  };
}
