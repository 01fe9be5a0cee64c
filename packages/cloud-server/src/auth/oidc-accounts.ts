import type { AdminConfig } from '../account-config.js';
import { httpError } from '../errors.js';
import type { Db } from '../store/db.js';
import type { MembershipRecord, OrgRecord, TenantStore } from '../store/tenants.js';
import type { OidcIdentity } from './oidc.js';

export interface OidcAccountsDeps {
  db: Db;
  tenants: TenantStore;
  defaultOrg: OrgRecord;
  signup: AdminConfig;
  /** Whether a verified email may link a new identity to the existing account with that email. */
  linkVerifiedEmail: boolean;
}

const sameEmail = (a: string, b: string | null) => b !== null && a.toLowerCase() === b.toLowerCase();

/**
 * How an OIDC identity becomes an org member. The identity is the pair (issuer, `sub`): an email
 * claim alone never signs anybody in as somebody else. A first-seen identity takes over the account
 * with its email only when the provider verified that email and the policy allows linking;
 * otherwise it is a new person, whom the signup policy admits or refuses.
 */
export function createOidcAccounts({ db, tenants, defaultOrg, signup, linkVerifiedEmail }: OidcAccountsDeps) {
  /** 403 unless the signup policy admits a new member with this identity. */
  function admit(identity: OidcIdentity): void {
    const mode = signup.signupMode;
    if (mode === 'open') return;
    if (mode === 'domain') {
      const domain = identity.email?.split('@').pop()?.toLowerCase();
      if (identity.emailVerified && domain && signup.allowedEmailDomains.some((allowed) => allowed.toLowerCase() === domain)) return;
      throw httpError('auth.signup_domain_not_allowed', 'Sign-up needs a verified email address of an allowed domain.');
    }
    if (mode === 'invite') throw httpError('auth.signup_invite_required', 'This cloud admits new members by invitation only.');
    throw httpError('auth.signup_disabled', 'Sign-up is closed on this cloud.');
  }

  /** The membership of the identity in the default org, provisioned or activated as the policy allows. */
  return async function memberFor(identity: OidcIdentity): Promise<MembershipRecord> {
    let user = await tenants.findOidcUser(db, identity.issuer, identity.subject);
    if (!user && linkVerifiedEmail && identity.emailVerified && identity.email) {
      const owner = await tenants.findUserByEmail(db, identity.email);
      if (owner && (await tenants.linkOidcIdentity(db, owner.userId, identity.issuer, identity.subject))) user = owner;
    }
    const membership = user ? await tenants.getMembership(db, defaultOrg.orgId, user.userId) : null;
    if (
      membership?.status === 'invited' &&
      signup.signupMode !== 'disabled' &&
      identity.emailVerified &&
      sameEmail(membership.user.email, identity.email)
    ) {
      // Signing in with the verified address an invite was sent to accepts the invite.
      return (await tenants.updateMembership(db, defaultOrg.orgId, membership.user.userId, { status: 'active' }))!;
    }
    if (membership) return membership;
    admit(identity);
    user ??= await tenants.createOidcUser(db, {
      issuer: identity.issuer,
      subject: identity.subject,
      // Without a usable email the user is named after the identity itself.
      email: identity.email ?? `${identity.subject}@${new URL(identity.issuer).hostname}`,
      displayName: identity.displayName,
    });
    if (!user) throw httpError('auth.email_in_use', 'Another account already uses this email address; ask an admin to link it.');
    return tenants.ensureMembership(db, defaultOrg.orgId, user.userId, 'member');
  };
}
