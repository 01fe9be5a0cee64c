import type {
  ChannelBinding,
  ChannelBindingStatus,
  ChannelCredentialRefKind,
  ChannelIdentity,
  ChannelIdentityRole,
  ChannelIdentityStatus,
  ChannelSessionBinding,
  HeadlessAgent,
  HeadlessAgentStatus,
} from '@open-cowork/shared';
import type { Db, Queryable } from './db.js';
import { int, iso, json } from './rows.js';

/** '' stands for "absent" in natural-key columns (see 0005_channels.sql). */
export const keyOf = (value: string | null | undefined): string => value ?? '';
const nullable = (value: unknown): string | null => (value === '' || value === null || value === undefined ? null : String(value));

/** A channel binding with the credential reference the wire never shows. */
export interface StoredChannelBinding extends ChannelBinding {
  credentialRef: string | null;
}

/** A session binding with the account its session belongs to. */
export interface StoredSessionBinding extends ChannelSessionBinding {
  ownerUserId: string;
}

/** The kind of a credential reference, or null when it is not one (e.g. a pasted secret). */
export function credentialRefKind(ref: string): ChannelCredentialRefKind | null {
  if (/^env:[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(ref)) return 'env';
  if (/^(gcp-secret-manager:|projects\/[^/\s]+\/secrets\/)\S+$/.test(ref)) return 'gcp-secret-manager';
  if (/^(aws-secrets-manager:|arn:aws:secretsmanager:)\S+$/.test(ref)) return 'aws-secrets-manager';
  if (/^(azure-key-vault:|https:\/\/[\w-]+\.vault\.azure\.net\/)\S+$/.test(ref)) return 'azure-key-vault';
  if (/^secret-ref:\S+$/.test(ref)) return 'secret-ref';
  return null;
}

const toAgent = (row: Record<string, unknown>): HeadlessAgent => ({
  agentId: String(row.agent_id),
  orgId: String(row.org_id),
  tenantId: String(row.org_id),
  profileName: String(row.profile_name),
  name: String(row.name),
  status: row.status as HeadlessAgentStatus,
  managed: row.managed === true,
  createdByAccountId: nullable(row.created_by_account_id),
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
});

const toBinding = (row: Record<string, unknown>): StoredChannelBinding => {
  const credentialRef = nullable(row.credential_ref);
  return {
    bindingId: String(row.binding_id),
    orgId: String(row.org_id),
    agentId: String(row.agent_id),
    provider: String(row.provider),
    externalWorkspaceId: nullable(row.external_workspace_id),
    displayName: String(row.display_name),
    status: row.status as ChannelBindingStatus,
    credentialRefConfigured: credentialRef !== null,
    credentialRefKind: credentialRef ? credentialRefKind(credentialRef) : null,
    settings: (row.settings as Record<string, unknown>) ?? {},
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    credentialRef,
  };
};

const toIdentity = (row: Record<string, unknown>): ChannelIdentity => ({
  identityId: String(row.identity_id),
  orgId: String(row.org_id),
  provider: String(row.provider),
  externalWorkspaceId: nullable(row.external_workspace_id),
  externalUserId: String(row.external_user_id),
  accountId: nullable(row.account_id),
  role: row.role as ChannelIdentityRole,
  status: row.status as ChannelIdentityStatus,
  metadata: (row.metadata as Record<string, unknown>) ?? {},
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
});

const toSessionBinding = (row: Record<string, unknown>): StoredSessionBinding => ({
  bindingId: String(row.binding_id),
  orgId: String(row.org_id),
  agentId: String(row.agent_id),
  channelBindingId: String(row.channel_binding_id),
  provider: String(row.provider),
  externalWorkspaceId: nullable(row.external_workspace_id),
  externalThreadId: String(row.external_thread_id),
  externalChatId: String(row.external_chat_id),
  sessionId: String(row.session_id),
  lastEventSequence: int(row.last_event_sequence),
  lastWorkspaceSequence: int(row.last_workspace_sequence),
  lastChatMessageId: nullable(row.last_chat_message_id),
  status: row.status as ChannelSessionBinding['status'],
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
  ownerUserId: String(row.owner_user_id),
});

/** `binding` as the wire shows it: without the credential reference. */
export function publicBinding({ credentialRef: _ref, ...binding }: StoredChannelBinding): ChannelBinding {
  return binding;
}

export function publicSessionBinding({ ownerUserId: _owner, ...binding }: StoredSessionBinding): ChannelSessionBinding {
  return binding;
}

/** `channel_binding_id = ANY(scope)` when the caller is limited to some bindings. */
function scopeClause(params: unknown[], column: string, scope: string[] | null): string {
  if (scope === null) return 'true';
  params.push(scope);
  return `${column} = ANY($${params.length}::text[])`;
}

/** Headless agents, channel bindings, channel identities and session bindings of an org. */
export function createChannelsStore(db: Db) {
  return {
    // ------------------------------------------------------------ agents
    async listAgents(orgId: string, limit: number): Promise<HeadlessAgent[]> {
      const { rows } = await db.query(
        'SELECT * FROM headless_agents WHERE org_id = $1 ORDER BY created_at, agent_id LIMIT $2',
        [orgId, limit],
      );
      return rows.map(toAgent);
    },

    async getAgent(orgId: string, agentId: string, q: Queryable = db): Promise<HeadlessAgent | null> {
      const { rows } = await q.query('SELECT * FROM headless_agents WHERE org_id = $1 AND agent_id = $2', [orgId, agentId]);
      return rows[0] ? toAgent(rows[0]) : null;
    },

    /** Null when the id is taken (by any org: ids are global). */
    async insertAgent(agent: Omit<HeadlessAgent, 'createdAt' | 'updatedAt' | 'tenantId'>): Promise<HeadlessAgent | null> {
      const { rows } = await db.query(
        `INSERT INTO headless_agents (agent_id, org_id, profile_name, name, status, managed, created_by_account_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (agent_id) DO NOTHING RETURNING *`,
        [agent.agentId, agent.orgId, agent.profileName, agent.name, agent.status, agent.managed, agent.createdByAccountId],
      );
      return rows[0] ? toAgent(rows[0]) : null;
    },

    async updateAgent(
      orgId: string,
      agentId: string,
      fields: { name?: string | undefined; profileName?: string | undefined; status?: HeadlessAgentStatus | undefined; managed?: boolean | undefined },
    ): Promise<HeadlessAgent | null> {
      const { rows } = await db.query(
        `UPDATE headless_agents SET name = coalesce($3, name), profile_name = coalesce($4, profile_name),
                status = coalesce($5, status), managed = coalesce($6, managed), updated_at = now()
          WHERE org_id = $1 AND agent_id = $2 RETURNING *`,
        [orgId, agentId, fields.name ?? null, fields.profileName ?? null, fields.status ?? null, fields.managed ?? null],
      );
      return rows[0] ? toAgent(rows[0]) : null;
    },

    // ------------------------------------------------------------ bindings
    async listBindings(orgId: string, filter: { agentId?: string | undefined; scope: string[] | null; limit: number }): Promise<StoredChannelBinding[]> {
      const params: unknown[] = [orgId];
      const where = ['org_id = $1', scopeClause(params, 'binding_id', filter.scope)];
      if (filter.agentId) {
        params.push(filter.agentId);
        where.push(`agent_id = $${params.length}`);
      }
      params.push(filter.limit);
      const { rows } = await db.query(
        `SELECT * FROM channel_bindings WHERE ${where.join(' AND ')} ORDER BY created_at, binding_id LIMIT $${params.length}`,
        params,
      );
      return rows.map(toBinding);
    },

    async getBinding(orgId: string, bindingId: string, q: Queryable = db): Promise<StoredChannelBinding | null> {
      const { rows } = await q.query('SELECT * FROM channel_bindings WHERE org_id = $1 AND binding_id = $2', [orgId, bindingId]);
      return rows[0] ? toBinding(rows[0]) : null;
    },

    /** Null when the id is taken. */
    async insertBinding(binding: {
      bindingId: string;
      orgId: string;
      agentId: string;
      provider: string;
      externalWorkspaceId: string | null;
      displayName: string;
      status: ChannelBindingStatus;
      credentialRef: string | null;
      settings: Record<string, unknown>;
    }): Promise<StoredChannelBinding | null> {
      const { rows } = await db.query(
        `INSERT INTO channel_bindings (binding_id, org_id, agent_id, provider, external_workspace_id, display_name, status, credential_ref, settings)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb) ON CONFLICT (binding_id) DO NOTHING RETURNING *`,
        [
          binding.bindingId,
          binding.orgId,
          binding.agentId,
          binding.provider,
          keyOf(binding.externalWorkspaceId),
          binding.displayName,
          binding.status,
          binding.credentialRef,
          json(binding.settings),
        ],
      );
      return rows[0] ? toBinding(rows[0]) : null;
    },

    /** `credentialRef: null` clears the reference; `undefined` keeps it. */
    async updateBinding(
      orgId: string,
      bindingId: string,
      fields: { displayName?: string | undefined; status?: ChannelBindingStatus | undefined; credentialRef?: string | null | undefined; settings?: Record<string, unknown> | undefined },
    ): Promise<StoredChannelBinding | null> {
      const { rows } = await db.query(
        `UPDATE channel_bindings SET display_name = coalesce($3, display_name), status = coalesce($4, status),
                credential_ref = CASE WHEN $5::boolean THEN $6 ELSE credential_ref END,
                settings = coalesce($7::jsonb, settings), updated_at = now()
          WHERE org_id = $1 AND binding_id = $2 RETURNING *`,
        [
          orgId,
          bindingId,
          fields.displayName ?? null,
          fields.status ?? null,
          fields.credentialRef !== undefined,
          fields.credentialRef ?? null,
          fields.settings === undefined ? null : json(fields.settings),
        ],
      );
      return rows[0] ? toBinding(rows[0]) : null;
    },

    /** Binding counts per provider, over the bindings the caller may see. */
    async providerCounts(orgId: string, scope: string[] | null): Promise<{ provider: string; total: number; active: number }[]> {
      const params: unknown[] = [orgId];
      const where = ['org_id = $1', scopeClause(params, 'binding_id', scope)];
      const { rows } = await db.query(
        `SELECT provider, count(*)::int AS total, count(*) FILTER (WHERE status = 'active')::int AS active
           FROM channel_bindings WHERE ${where.join(' AND ')} GROUP BY provider ORDER BY provider`,
        params,
      );
      return rows.map((row) => ({ provider: String(row.provider), total: int(row.total), active: int(row.active) }));
    },

    // ------------------------------------------------------------ identities
    async listIdentities(
      orgId: string,
      filter: { provider?: string | undefined; externalWorkspaceId?: string | undefined; role?: string | undefined; status?: string | undefined; limit: number },
    ): Promise<ChannelIdentity[]> {
      const params: unknown[] = [orgId];
      const where = ['org_id = $1'];
      const add = (column: string, value: string | undefined) => {
        if (value === undefined) return;
        params.push(value);
        where.push(`${column} = $${params.length}`);
      };
      add('provider', filter.provider);
      add('external_workspace_id', filter.externalWorkspaceId);
      add('role', filter.role);
      add('status', filter.status);
      params.push(filter.limit);
      const { rows } = await db.query(
        `SELECT * FROM channel_identities WHERE ${where.join(' AND ')} ORDER BY created_at, identity_id LIMIT $${params.length}`,
        params,
      );
      return rows.map(toIdentity);
    },

    async getIdentity(orgId: string, identityId: string): Promise<ChannelIdentity | null> {
      const { rows } = await db.query('SELECT * FROM channel_identities WHERE org_id = $1 AND identity_id = $2', [orgId, identityId]);
      return rows[0] ? toIdentity(rows[0]) : null;
    },

    /**
     * Finds the identity with this natural key or creates it; `update` fields change an existing one
     * (metadata is merged). One statement, so two concurrent resolves end with one row.
     */
    async resolveIdentity(input: {
      identityId: string;
      orgId: string;
      provider: string;
      externalWorkspaceId: string | null;
      externalUserId: string;
      accountId: string | null;
      role: ChannelIdentityRole;
      status: ChannelIdentityStatus;
      metadata: Record<string, unknown>;
      update: { accountId?: string | undefined; role?: ChannelIdentityRole | undefined; status?: ChannelIdentityStatus | undefined; metadata?: Record<string, unknown> | undefined };
    }): Promise<{ identity: ChannelIdentity; created: boolean }> {
      const { rows } = await db.query(
        `INSERT INTO channel_identities (identity_id, org_id, provider, external_workspace_id, external_user_id, account_id, role, status, metadata)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)
         ON CONFLICT ON CONSTRAINT channel_identities_natural DO UPDATE SET
           account_id = coalesce($10, channel_identities.account_id),
           role = coalesce($11, channel_identities.role),
           status = coalesce($12, channel_identities.status),
           metadata = channel_identities.metadata || coalesce($13::jsonb, '{}'::jsonb),
           updated_at = now()
         RETURNING *, (xmax = 0) AS inserted`,
        [
          input.identityId,
          input.orgId,
          input.provider,
          keyOf(input.externalWorkspaceId),
          input.externalUserId,
          input.accountId,
          input.role,
          input.status,
          json(input.metadata),
          input.update.accountId ?? null,
          input.update.role ?? null,
          input.update.status ?? null,
          input.update.metadata === undefined ? null : json(input.update.metadata),
        ],
      );
      return { identity: toIdentity(rows[0]!), created: rows[0]!.inserted === true };
    },

    // ------------------------------------------------------------ session bindings
    async getSessionBinding(orgId: string, bindingId: string, q: Queryable = db): Promise<StoredSessionBinding | null> {
      const { rows } = await q.query('SELECT * FROM channel_session_bindings WHERE org_id = $1 AND binding_id = $2', [orgId, bindingId]);
      return rows[0] ? toSessionBinding(rows[0]) : null;
    },

    async findSessionBindingByThread(
      orgId: string,
      thread: { provider: string; externalWorkspaceId: string | null; externalChatId: string; externalThreadId: string },
      q: Queryable = db,
    ): Promise<StoredSessionBinding | null> {
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
      orgId: string,
      bindingId: string,
      cursor: { lastEventSequence: number; lastWorkspaceSequence: number; lastChatMessageId?: string | undefined },
    ): Promise<{ binding: StoredSessionBinding; stale: boolean } | null> {
      const { rows } = await db.query(
        `UPDATE channel_session_bindings SET last_event_sequence = $3, last_workspace_sequence = $4,
                last_chat_message_id = coalesce($5, last_chat_message_id), updated_at = now()
          WHERE org_id = $1 AND binding_id = $2 AND last_event_sequence <= $3 AND last_workspace_sequence <= $4
          RETURNING *`,
        [orgId, bindingId, cursor.lastEventSequence, cursor.lastWorkspaceSequence, cursor.lastChatMessageId ?? null],
      );
      if (rows[0]) return { binding: toSessionBinding(rows[0]), stale: false };
      const current = await db.query('SELECT * FROM channel_session_bindings WHERE org_id = $1 AND binding_id = $2', [orgId, bindingId]);
      return current.rows[0] ? { binding: toSessionBinding(current.rows[0]), stale: true } : null;
    },
  };
}

export type ChannelsStore = ReturnType<typeof createChannelsStore>;
