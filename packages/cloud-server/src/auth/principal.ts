import type { ApiTokenScope, AuthSource, CloudPrincipal, OrgMemberRole } from '@open-cowork/shared';

export type { AuthSource };
export type TokenScope = ApiTokenScope;
export type MemberRole = OrgMemberRole;

/** The authenticated caller, attached to every authorised request as `request.principal`. */
export type Principal = CloudPrincipal;

/**
 * The authorisation rule of a route, declared in its `config.access`:
 * - `public`: no authentication;
 * - `member`: any authenticated org member (cookie, bearer or token; not the operator token);
 * - `admin`: an owner/admin member, or a token with the `admin` scope;
 * - `operator`: the operator token or a token with the `operator` scope; never a cookie.
 */
export type RouteAccess = 'public' | 'member' | 'admin' | 'operator';

/**
 * Whether the caller's rights are those of an API token: a bearer token, or a cookie session opened
 * with one. Such callers hold the token's scopes and binding limits, whatever their role.
 */
export const heldByToken = (principal: Principal): boolean => principal.tokenId !== null;

/** A token whose only member scope is `gateway`: it acts on the channel plane and nowhere else. */
export const isGatewayOnly = (principal: Principal): boolean =>
  heldByToken(principal) &&
  principal.scopes.includes('gateway') &&
  !principal.scopes.includes('desktop') &&
  !principal.scopes.includes('admin');

/** The routes a gateway acts on: the channel plane, including the identity resolution it prompts with. */
export const isChannelPlane = (routeUrl: string): boolean => routeUrl.startsWith('/api/channels/');
