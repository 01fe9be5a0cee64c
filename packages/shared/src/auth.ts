/** The caller's principal and Cloud Web's cookie sessions: their schemas are in `schemas/auth.ts`. */

import type { Static } from '@sinclair/typebox';
import type * as S from './schemas/auth.js';

/** How a request proved who it is. */
export const AUTH_SOURCES = ['cookie', 'bearer', 'token', 'operator'] as const;
export type AuthSource = (typeof AUTH_SOURCES)[number];

/** What a cookie session was opened with. */
export const AUTH_SESSION_METHODS = ['token', 'oidc'] as const;
export type AuthSessionMethod = (typeof AUTH_SESSION_METHODS)[number];

/** The authenticated caller. */
export type CloudPrincipal = Static<typeof S.PrincipalSchema>;
/** Body of `POST /auth/session` and `GET /auth/me`. */
export type CloudAuthMe = Static<typeof S.AuthMeResponse>;
/** One cookie session of `GET /auth/sessions`. */
export type CloudAuthSession = Static<typeof S.AuthSessionViewSchema>;
/** Body of `GET /auth/desktop/config`. */
export type DesktopAuthConfig = Static<typeof S.DesktopAuthConfigResponse>;
