import type { OrgMember, OrgMemberRole, OrgMemberStatus } from '@open-cowork/shared';
import { newId } from '../ids.js';
import type { Queryable } from './db.js';
import { iso } from './rows.js';

export interface OrgRecord {
  orgId: string;
  slug: string;
  name: string;
  planKey: string;
  status: string;
}

export interface UserRecord {
  userId: string;
  email: string;
  displayName: string | null;
}

/** A user's membership of an org, with both records: all an authenticated principal is made of. */
export interface MembershipRecord {
  org: OrgRecord;
  user: UserRecord;
  role: OrgMemberRole;
  status: OrgMemberStatus;
  createdAt: string;
  updatedAt: string;
}

const MEMBERSHIP_SELECT = `
  SELECT o.org_id, o.slug, o.name AS org_name, o.plan_key, o.status AS org_status,
         u.user_id, u.email, u.display_name, m.role, m.status, m.created_at, m.updated_at
    FROM memberships m
    JOIN orgs o ON o.org_id = m.org_id
    JOIN users u ON u.user_id = m.user_id`;

interface MembershipRow {
  org_id: string;
  slug: string;
  org_name: string;
  plan_key: string;
  org_status: string;
  user_id: string;
  email: string;
  display_name: string | null;
  role: OrgMemberRole;
  status: OrgMemberStatus;
  created_at: Date;
  updated_at: Date;
}

const toMembership = (row: MembershipRow): MembershipRecord => ({
  org: { orgId: row.org_id, slug: row.slug, name: row.org_name, planKey: row.plan_key, status: row.org_status },
  user: { userId: row.user_id, email: row.email, displayName: row.display_name },
  role: row.role,
  status: row.status,
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
});

export const toOrgMember = (membership: MembershipRecord): OrgMember => ({
  orgId: membership.org.orgId,
  accountId: membership.user.userId,
  email: membership.user.email,
  displayName: membership.user.displayName,
  role: membership.role,
  status: membership.status,
  createdAt: membership.createdAt,
  updatedAt: membership.updatedAt,
});

interface UserRow {
  user_id: string;
  email: string;
  display_name: string | null;
}

const USER_SELECT = 'SELECT user_id, email, display_name FROM users';
const toUser = (row: UserRow): UserRecord => ({ userId: row.user_id, email: row.email, displayName: row.display_name });

/** Orgs (= tenants), users and memberships. */
export function createTenantStore() {
  return {
    /** Returns the org with this slug, creating it on first use. */
    async ensureOrg(q: Queryable, input: { slug: string; name: string }): Promise<OrgRecord> {
      await q.query('INSERT INTO orgs (org_id, slug, name) VALUES ($1, $2, $3) ON CONFLICT (slug) DO NOTHING', [
        newId('org'),
        input.slug,
        input.name,
      ]);
      const { rows } = await q.query<{ org_id: string; slug: string; name: string; plan_key: string; status: string }>(
        'SELECT org_id, slug, name, plan_key, status FROM orgs WHERE slug = $1',
        [input.slug],
      );
      const row = rows[0]!;
      return { orgId: row.org_id, slug: row.slug, name: row.name, planKey: row.plan_key, status: row.status };
    },

    /** Returns the user with this email (case-insensitive), creating it on first use. */
    async ensureUser(q: Queryable, input: { email: string; displayName?: string | null }): Promise<UserRecord> {
      await q.query('INSERT INTO users (user_id, email, display_name) VALUES ($1, $2, $3) ON CONFLICT (lower(email)) DO NOTHING', [
        newId('usr'),
        input.email,
        input.displayName ?? null,
      ]);
      return (await this.findUserByEmail(q, input.email))!;
    },

    /** The user an OIDC identity (issuer, subject) was linked to, or null. */
    async findOidcUser(q: Queryable, issuer: string, subject: string): Promise<UserRecord | null> {
      const { rows } = await q.query<UserRow>(`${USER_SELECT} WHERE oidc_issuer = $1 AND oidc_subject = $2`, [issuer, subject]);
      return rows[0] ? toUser(rows[0]) : null;
    },

    async findUserByEmail(q: Queryable, email: string): Promise<UserRecord | null> {
      const { rows } = await q.query<UserRow>(`${USER_SELECT} WHERE lower(email) = lower($1)`, [email]);
      return rows[0] ? toUser(rows[0]) : null;
    },

    /** Links an OIDC identity to a user that has none yet; false when the user is linked already. */
    async linkOidcIdentity(q: Queryable, userId: string, issuer: string, subject: string): Promise<boolean> {
      const { rowCount } = await q.query(
        'UPDATE users SET oidc_issuer = $2, oidc_subject = $3, updated_at = now() WHERE user_id = $1 AND oidc_subject IS NULL',
        [userId, issuer, subject],
      );
      return rowCount > 0;
    },

    /** A new user for an OIDC identity; null when another user has this email. */
    async createOidcUser(
      q: Queryable,
      input: {
        issuer: string;
        subject: string;
        email: string;
        displayName: string | null;
      },
    ): Promise<UserRecord | null> {
      const { rows } = await q.query<UserRow>(
        `INSERT INTO users (user_id, email, display_name, oidc_issuer, oidc_subject) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING RETURNING user_id, email, display_name`,
        [newId('usr'), input.email, input.displayName, input.issuer, input.subject],
      );
      return rows[0] ? toUser(rows[0]) : null;
    },

    /** Adds the membership when missing; an existing one keeps its role and status. */
    async ensureMembership(
      q: Queryable,
      orgId: string,
      userId: string,
      role: OrgMemberRole,
      status: OrgMemberStatus = 'active',
    ): Promise<MembershipRecord> {
      await q.query(
        `INSERT INTO memberships (org_id, user_id, role, status) VALUES ($1, $2, $3, $4)
         ON CONFLICT (org_id, user_id) DO NOTHING`,
        [orgId, userId, role, status],
      );
      return (await this.getMembership(q, orgId, userId))!;
    },

    async getMembership(q: Queryable, orgId: string, userId: string): Promise<MembershipRecord | null> {
      const { rows } = await q.query<MembershipRow>(`${MEMBERSHIP_SELECT} WHERE m.org_id = $1 AND m.user_id = $2`, [orgId, userId]);
      return rows[0] ? toMembership(rows[0]) : null;
    },

    /** Members ordered by email; `q` matches email or display name. */
    async listMembers(q: Queryable, orgId: string, options: { q?: string; limit: number }): Promise<MembershipRecord[]> {
      const pattern = options.q ? `%${options.q.replace(/[\\%_]/g, '\\$&')}%` : null;
      const { rows } = await q.query<MembershipRow>(
        `${MEMBERSHIP_SELECT}
          WHERE m.org_id = $1 AND ($2::text IS NULL OR u.email ILIKE $2 OR u.display_name ILIKE $2)
          ORDER BY lower(u.email) LIMIT $3`,
        [orgId, pattern, options.limit],
      );
      return rows.map(toMembership);
    },

    async updateMembership(
      q: Queryable,
      orgId: string,
      userId: string,
      patch: { role?: OrgMemberRole; status?: OrgMemberStatus },
    ): Promise<MembershipRecord | null> {
      const { rowCount } = await q.query(
        `UPDATE memberships SET role = coalesce($3, role), status = coalesce($4, status), updated_at = now()
          WHERE org_id = $1 AND user_id = $2`,
        [orgId, userId, patch.role ?? null, patch.status ?? null],
      );
      return rowCount === 0 ? null : this.getMembership(q, orgId, userId);
    },
  };
}

export type TenantStore = ReturnType<typeof createTenantStore>;
