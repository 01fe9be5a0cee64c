import { createHash } from 'node:crypto';
import type { ApiToken, ApiTokenChannelBindingGrant, ApiTokenScope } from '@open-cowork/shared';
import { newId, newSecret } from '../ids.js';
import type { Queryable } from './db.js';
import { iso, isoOrNull } from './rows.js';

/** Every API token secret starts with this, so a credential's kind is known without a lookup. */
export const API_TOKEN_PREFIX = 'occ_tok_';

export function hashTokenSecret(plaintext: string): string {
  return createHash('sha256').update(plaintext).digest('hex');
}

interface TokenRow {
  token_id: string;
  org_id: string;
  account_id: string | null;
  name: string;
  last4: string;
  scopes: ApiTokenScope[];
  channel_binding_ids: string[] | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const toApiToken = (row: TokenRow): ApiToken => ({
  tokenId: row.token_id,
  orgId: row.org_id,
  accountId: row.account_id,
  name: row.name,
  scopes: row.scopes,
  channelBindingIds: row.channel_binding_ids ?? [],
  last4: row.last4,
  expiresAt: isoOrNull(row.expires_at),
  revokedAt: isoOrNull(row.revoked_at),
  lastUsedAt: isoOrNull(row.last_used_at),
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
});

const TOKEN_SELECT = `
  SELECT t.token_id, t.org_id, t.account_id, t.name, t.last4, t.scopes, t.expires_at, t.revoked_at,
         t.last_used_at, t.created_at, t.updated_at,
         (SELECT array_agg(g.channel_binding_id ORDER BY g.channel_binding_id)
            FROM api_token_channel_bindings g WHERE g.token_id = t.token_id) AS channel_binding_ids
    FROM api_tokens t`;

export interface IssueTokenInput {
  orgId: string;
  accountId: string | null;
  name: string;
  scopes: ApiTokenScope[];
  expiresAt?: string | null;
  channelBindingIds?: string[];
}

/** Why a presented token secret was refused. */
export type TokenRefusal = 'unknown' | 'revoked' | 'expired';

/** API (service) tokens: issue, look up by secret, list, revoke, channel binding grants. */
export function createTokenStore() {
  const get = async (q: Queryable, orgId: string, tokenId: string): Promise<ApiToken | null> => {
    const { rows } = await q.query<TokenRow>(`${TOKEN_SELECT} WHERE t.org_id = $1 AND t.token_id = $2`, [orgId, tokenId]);
    return rows[0] ? toApiToken(rows[0]) : null;
  };

  const grant = async (q: Queryable, orgId: string, tokenId: string, channelBindingId: string): Promise<ApiTokenChannelBindingGrant> => {
    await q.query(
      `INSERT INTO api_token_channel_bindings (token_id, org_id, channel_binding_id) VALUES ($1, $2, $3)
       ON CONFLICT (token_id, channel_binding_id) DO NOTHING`,
      [tokenId, orgId, channelBindingId],
    );
    const { rows } = await q.query<{ created_at: Date }>(
      'SELECT created_at FROM api_token_channel_bindings WHERE token_id = $1 AND channel_binding_id = $2',
      [tokenId, channelBindingId],
    );
    return { orgId, tokenId, channelBindingId, createdAt: iso(rows[0]!.created_at) };
  };

  return {
    get,

    /** Creates a token and returns it with its secret, which is never stored and never shown again. */
    async issue(q: Queryable, input: IssueTokenInput): Promise<{ token: ApiToken; plaintext: string }> {
      const plaintext = `${API_TOKEN_PREFIX}${newSecret()}`;
      const tokenId = newId('tok');
      await q.query(
        `INSERT INTO api_tokens (token_id, org_id, account_id, name, token_hash, last4, scopes, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          tokenId,
          input.orgId,
          input.accountId,
          input.name,
          hashTokenSecret(plaintext),
          plaintext.slice(-4),
          input.scopes,
          input.expiresAt ?? null,
        ],
      );
      for (const channelBindingId of new Set(input.channelBindingIds ?? [])) await grant(q, input.orgId, tokenId, channelBindingId);
      return { token: (await get(q, input.orgId, tokenId))!, plaintext };
    },

    /** The live token with this secret, or why there is none. Marks it used. */
    async authenticate(q: Queryable, plaintext: string): Promise<ApiToken | TokenRefusal> {
      const { rows } = await q.query<TokenRow>(`${TOKEN_SELECT} WHERE t.token_hash = $1`, [hashTokenSecret(plaintext)]);
      const row = rows[0];
      if (!row) return 'unknown';
      if (row.revoked_at) return 'revoked';
      if (row.expires_at && new Date(row.expires_at).getTime() <= Date.now()) return 'expired';
      await q.query(
        `UPDATE api_tokens SET last_used_at = now()
          WHERE token_id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
        [row.token_id],
      );
      return toApiToken(row);
    },

    /** Newest first. */
    async list(q: Queryable, orgId: string, limit: number): Promise<ApiToken[]> {
      const { rows } = await q.query<TokenRow>(`${TOKEN_SELECT} WHERE t.org_id = $1 ORDER BY t.created_at DESC, t.token_id DESC LIMIT $2`, [
        orgId,
        limit,
      ]);
      return rows.map(toApiToken);
    },

    /** Revokes once; revoking again keeps the first `revokedAt`. Null when the token does not exist. */
    async revoke(q: Queryable, orgId: string, tokenId: string): Promise<ApiToken | null> {
      await q.query(
        `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()), updated_at = now()
          WHERE org_id = $1 AND token_id = $2`,
        [orgId, tokenId],
      );
      return get(q, orgId, tokenId);
    },

    grant,
  };
}

export type TokenStore = ReturnType<typeof createTokenStore>;
