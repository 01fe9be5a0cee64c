import type { AuthSessionMethod } from '@open-cowork/shared';
import { newId, newSecret } from '../ids.js';
import type { Queryable } from './db.js';
import { iso } from './rows.js';
import { hashTokenSecret } from './tokens.js';

/** How a cookie session was opened. */
export type { AuthSessionMethod };

export interface AuthSessionRecord {
  sessionId: string;
  orgId: string;
  userId: string;
  /** The API token the session was opened with: the session lives and dies with it. */
  tokenId: string | null;
  method: AuthSessionMethod;
  csrfToken: string;
  userAgent: string | null;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

interface AuthSessionRow {
  session_id: string;
  org_id: string;
  user_id: string;
  token_id: string | null;
  method: AuthSessionMethod;
  csrf_token: string;
  user_agent: string | null;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
}

const toRecord = (row: AuthSessionRow): AuthSessionRecord => ({
  sessionId: row.session_id,
  orgId: row.org_id,
  userId: row.user_id,
  tokenId: row.token_id,
  method: row.method,
  csrfToken: row.csrf_token,
  userAgent: row.user_agent,
  createdAt: iso(row.created_at),
  lastSeenAt: iso(row.last_seen_at),
  expiresAt: iso(row.expires_at),
});

const COLUMNS = 'session_id, org_id, user_id, token_id, method, csrf_token, user_agent, created_at, last_seen_at, expires_at';

export interface OpenAuthSessionInput {
  orgId: string;
  userId: string;
  tokenId: string | null;
  method: AuthSessionMethod;
  userAgent: string | null;
  expiresAt: Date;
}

/**
 * Server-side cookie sessions. A session is live while its absolute expiry is ahead and it was used
 * within the idle limit; `idleMs` is passed by the caller (the server config).
 */
export function createAuthSessionStore(idleMs: number) {
  const LIVE = `expires_at > now() AND last_seen_at > now() - ($IDLE::bigint * interval '1 millisecond')`;
  const live = (param: number) => LIVE.replace('$IDLE', `$${param}`);

  return {
    /** Opens a session; returns it and the cookie secret, which is stored only as a hash. */
    async open(q: Queryable, input: OpenAuthSessionInput): Promise<{ session: AuthSessionRecord; secret: string }> {
      // Ended sessions are dropped here rather than by a timer: opening one is rare enough.
      await q.query(`DELETE FROM auth_sessions WHERE NOT (${live(1)})`, [idleMs]);
      const secret = newSecret();
      const { rows } = await q.query<AuthSessionRow>(
        `INSERT INTO auth_sessions (session_id, secret_hash, org_id, user_id, token_id, method, csrf_token, user_agent, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
        [
          newId('aus'),
          hashTokenSecret(secret),
          input.orgId,
          input.userId,
          input.tokenId,
          input.method,
          newSecret(),
          input.userAgent,
          input.expiresAt,
        ],
      );
      return { session: toRecord(rows[0]!), secret };
    },

    /** The live session holding this cookie secret, marked as used; null when there is none. */
    async find(q: Queryable, secret: string): Promise<AuthSessionRecord | null> {
      const { rows } = await q.query<AuthSessionRow>(`SELECT ${COLUMNS} FROM auth_sessions WHERE secret_hash = $1 AND ${live(2)}`, [
        hashTokenSecret(secret),
        idleMs,
      ]);
      const row = rows[0];
      if (!row) return null;
      // Written at most once a minute per session: idle expiry needs no finer grain.
      await q.query(`UPDATE auth_sessions SET last_seen_at = now() WHERE session_id = $1 AND last_seen_at < now() - interval '1 minute'`, [
        row.session_id,
      ]);
      return toRecord(row);
    },

    /** The user's live sessions, newest first. */
    async list(q: Queryable, orgId: string, userId: string): Promise<AuthSessionRecord[]> {
      const { rows } = await q.query<AuthSessionRow>(
        `SELECT ${COLUMNS} FROM auth_sessions WHERE org_id = $1 AND user_id = $2 AND ${live(3)}
          ORDER BY created_at DESC, session_id DESC`,
        [orgId, userId, idleMs],
      );
      return rows.map(toRecord);
    },

    /** Ends one of the user's sessions; false when the user has no session with this id. */
    async end(q: Queryable, orgId: string, userId: string, sessionId: string): Promise<boolean> {
      const { rowCount } = await q.query('DELETE FROM auth_sessions WHERE org_id = $1 AND user_id = $2 AND session_id = $3', [
        orgId,
        userId,
        sessionId,
      ]);
      return rowCount > 0;
    },

    /** Ends every session of a user in the org (a disabled member). */
    async endAll(q: Queryable, orgId: string, userId: string): Promise<void> {
      await q.query('DELETE FROM auth_sessions WHERE org_id = $1 AND user_id = $2', [orgId, userId]);
    },
  };
}
