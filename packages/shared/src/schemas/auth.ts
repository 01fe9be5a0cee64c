import { Type } from '@sinclair/typebox';
import { AUTH_SESSION_METHODS, AUTH_SOURCES } from '../auth.js';
import { Id, literals, Nullable, Timestamp } from './common.js';
import { ApiTokenScopeSchema, OrgMemberRoleSchema } from './identity.js';

/** Cookie sessions of Cloud Web, the caller's principal and the Desktop sign-in configuration. */

export const OpenSessionBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 8192 }) });
export const AuthSessionParams = Type.Object({ id: Id });
export const LoginQuery = Type.Object({ returnTo: Type.Optional(Type.String({ maxLength: 2048 })) });
/** The provider's answer: `code` and `state`, or `error`; other parameters are the provider's business. */
export const CallbackQuery = Type.Object(
  {
    code: Type.Optional(Type.String({ maxLength: 4096 })),
    state: Type.Optional(Type.String({ maxLength: 1024 })),
    error: Type.Optional(Type.String({ maxLength: 256 })),
  },
  { additionalProperties: true },
);

/** The authenticated caller. */
export const PrincipalSchema = Type.Object({
  /** How the request proved who it is. */
  authSource: literals(AUTH_SOURCES),
  tenantId: Type.String(),
  /** In this server an org and its tenant are one record: `orgId === tenantId`. */
  orgId: Type.String(),
  userId: Type.String(),
  /** Equal to `userId`. */
  accountId: Type.String(),
  email: Type.String(),
  role: OrgMemberRoleSchema,
  /** Set for API/service tokens. */
  tokenId: Nullable(Type.String()),
  scopes: Type.Array(ApiTokenScopeSchema),
  /** Gateway tokens: the channel bindings they were granted. Null when not restricted. */
  channelBindingIds: Nullable(Type.Array(Type.String())),
});

/**
 * `POST /auth/session` and `GET /auth/me`: the principal and, for a cookie session, the token that
 * unsafe requests echo in `x-csrf-token` and when the session ends (both null otherwise).
 */
export const AuthMeResponse = Type.Object({
  principal: PrincipalSchema,
  csrfToken: Nullable(Type.String()),
  expiresAt: Nullable(Timestamp),
});

export const AuthSessionViewSchema = Type.Object({
  sessionId: Type.String(),
  method: literals(AUTH_SESSION_METHODS),
  tokenId: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
  createdAt: Timestamp,
  lastSeenAt: Timestamp,
  expiresAt: Timestamp,
  /** The session of the cookie this request came with. */
  current: Type.Boolean(),
});
export const AuthSessionListResponse = Type.Object({ sessions: Type.Array(AuthSessionViewSchema) });
export const LogoutResponse = Type.Object({ loggedOut: Type.Literal(true) });
export const EndSessionResponse = Type.Object({ ended: Type.Literal(true) });

/** `GET /auth/desktop/config`: the OIDC sign-in; `webLoginUrl` is set when Cloud Web can sign in with it. */
export const DesktopAuthConfigResponse = Type.Object({
  mode: Type.Literal('oidc'),
  issuerUrl: Type.String(),
  clientId: Nullable(Type.String()),
  scope: Type.String(),
  webLoginUrl: Nullable(Type.String()),
});
