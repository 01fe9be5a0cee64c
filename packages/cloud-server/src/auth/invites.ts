import { seal, unseal } from './cookie.js';

/** How long an invite link stays valid. */
const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

interface InviteClaims {
  kind: 'invite';
  orgId: string;
  accountId: string;
  expiresAtMs: number;
}

/**
 * Invite tokens are sealed (HMAC) with the cookie secret rather than stored: accepting one only
 * moves an `invited` membership to `active`, so a token needs no state of its own. The `kind`
 * field keeps session cookies and invite tokens from standing in for each other.
 */
export function createInviteToken(orgId: string, accountId: string, secret: string, nowMs = Date.now()) {
  const expiresAtMs = nowMs + INVITE_TTL_MS;
  const claims: InviteClaims = { kind: 'invite', orgId, accountId, expiresAtMs };
  return { inviteToken: seal(claims, secret), inviteExpiresAt: new Date(expiresAtMs).toISOString() };
}

export type InviteCheck = { orgId: string; accountId: string } | 'invalid' | 'expired';

export function readInviteToken(token: string, secret: string, nowMs = Date.now()): InviteCheck {
  const claims = unseal(token, secret) as Partial<InviteClaims> | null;
  if (claims?.kind !== 'invite' || typeof claims.orgId !== 'string' || typeof claims.accountId !== 'string') return 'invalid';
  if (typeof claims.expiresAtMs !== 'number' || claims.expiresAtMs <= nowMs) return 'expired';
  return { orgId: claims.orgId, accountId: claims.accountId };
}
