import type {
  ChannelBinding,
  ChannelBindingStatus,
  ChannelCredentialRefKind,
  HeadlessAgent,
  HeadlessAgentStatus,
} from '@open-cowork/shared';
import { createChannelIdentitiesStore } from './channel-identities.js';
import { createChannelSessionBindingsStore } from './channel-session-bindings.js';
import type { Queryable } from './db.js';
import { int, iso, json, keyOf, textOrNull } from './rows.js';

/** A channel binding with the credential reference the wire never shows. */
export interface StoredChannelBinding extends ChannelBinding {
  credentialRef: string | null;
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
  createdByAccountId: textOrNull(row.created_by_account_id),
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
});

const toBinding = (row: Record<string, unknown>): StoredChannelBinding => {
  const credentialRef = textOrNull(row.credential_ref);
  return {
    bindingId: String(row.binding_id),
    orgId: String(row.org_id),
    agentId: String(row.agent_id),
    provider: String(row.provider),
    externalWorkspaceId: textOrNull(row.external_workspace_id),
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

/** `binding` as the wire shows it: without the credential reference. */
export function publicBinding({ credentialRef: _ref, ...binding }: StoredChannelBinding): ChannelBinding {
  return binding;
}

/** `channel_binding_id = ANY(scope)` when the caller is limited to some bindings. */
function scopeClause(params: unknown[], column: string, scope: string[] | null): string {
  if (scope === null) return 'true';
  params.push(scope);
  return `${column} = ANY($${params.length}::text[])`;
}

/**
 * Headless agents and channel bindings of an org; with the channel identities
 * (`channel-identities.ts`) and the session bindings (`channel-session-bindings.ts`) in one object.
 */
export function createChannelsStore() {
  return {
    ...createChannelIdentitiesStore(),
    ...createChannelSessionBindingsStore(),
    // ------------------------------------------------------------ agents
    async listAgents(q: Queryable, orgId: string, limit: number): Promise<HeadlessAgent[]> {
      const { rows } = await q.query('SELECT * FROM headless_agents WHERE org_id = $1 ORDER BY created_at, agent_id LIMIT $2', [
        orgId,
        limit,
      ]);
      return rows.map(toAgent);
    },

    async getAgent(q: Queryable, orgId: string, agentId: string): Promise<HeadlessAgent | null> {
      const { rows } = await q.query('SELECT * FROM headless_agents WHERE org_id = $1 AND agent_id = $2', [orgId, agentId]);
      return rows[0] ? toAgent(rows[0]) : null;
    },

    /** Null when the id is taken (by any org: ids are global). */
    async insertAgent(q: Queryable, agent: Omit<HeadlessAgent, 'createdAt' | 'updatedAt' | 'tenantId'>): Promise<HeadlessAgent | null> {
      const { rows } = await q.query(
        `INSERT INTO headless_agents (agent_id, org_id, profile_name, name, status, managed, created_by_account_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (agent_id) DO NOTHING RETURNING *`,
        [agent.agentId, agent.orgId, agent.profileName, agent.name, agent.status, agent.managed, agent.createdByAccountId],
      );
      return rows[0] ? toAgent(rows[0]) : null;
    },

    async updateAgent(
      q: Queryable,
      orgId: string,
      agentId: string,
      fields: {
        name?: string | undefined;
        profileName?: string | undefined;
        status?: HeadlessAgentStatus | undefined;
        managed?: boolean | undefined;
      },
    ): Promise<HeadlessAgent | null> {
      const { rows } = await q.query(
        `UPDATE headless_agents SET name = coalesce($3, name), profile_name = coalesce($4, profile_name),
                status = coalesce($5, status), managed = coalesce($6, managed), updated_at = now()
          WHERE org_id = $1 AND agent_id = $2 RETURNING *`,
        [orgId, agentId, fields.name ?? null, fields.profileName ?? null, fields.status ?? null, fields.managed ?? null],
      );
      return rows[0] ? toAgent(rows[0]) : null;
    },

    // ------------------------------------------------------------ bindings
    async listBindings(
      q: Queryable,
      orgId: string,
      filter: { agentId?: string | undefined; scope: string[] | null; limit: number },
    ): Promise<StoredChannelBinding[]> {
      const params: unknown[] = [orgId];
      const where = ['org_id = $1', scopeClause(params, 'binding_id', filter.scope)];
      if (filter.agentId) {
        params.push(filter.agentId);
        where.push(`agent_id = $${params.length}`);
      }
      params.push(filter.limit);
      const { rows } = await q.query(
        `SELECT * FROM channel_bindings WHERE ${where.join(' AND ')} ORDER BY created_at, binding_id LIMIT $${params.length}`,
        params,
      );
      return rows.map(toBinding);
    },

    async getBinding(q: Queryable, orgId: string, bindingId: string): Promise<StoredChannelBinding | null> {
      const { rows } = await q.query('SELECT * FROM channel_bindings WHERE org_id = $1 AND binding_id = $2', [orgId, bindingId]);
      return rows[0] ? toBinding(rows[0]) : null;
    },

    /** Null when the id is taken. */
    async insertBinding(
      q: Queryable,
      binding: {
        bindingId: string;
        orgId: string;
        agentId: string;
        provider: string;
        externalWorkspaceId: string | null;
        displayName: string;
        status: ChannelBindingStatus;
        credentialRef: string | null;
        settings: Record<string, unknown>;
      },
    ): Promise<StoredChannelBinding | null> {
      const { rows } = await q.query(
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
      q: Queryable,
      orgId: string,
      bindingId: string,
      fields: {
        displayName?: string | undefined;
        status?: ChannelBindingStatus | undefined;
        credentialRef?: string | null | undefined;
        settings?: Record<string, unknown> | undefined;
      },
    ): Promise<StoredChannelBinding | null> {
      const { rows } = await q.query(
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
    async providerCounts(
      q: Queryable,
      orgId: string,
      scope: string[] | null,
    ): Promise<{ provider: string; total: number; active: number }[]> {
      const params: unknown[] = [orgId];
      const where = ['org_id = $1', scopeClause(params, 'binding_id', scope)];
      const { rows } = await q.query(
        `SELECT provider, count(*)::int AS total, count(*) FILTER (WHERE status = 'active')::int AS active
           FROM channel_bindings WHERE ${where.join(' AND ')} GROUP BY provider ORDER BY provider`,
        params,
      );
      return rows.map((row) => ({ provider: String(row.provider), total: int(row.total), active: int(row.active) }));
    },
  };
}
