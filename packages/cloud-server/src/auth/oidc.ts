import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import type { OidcConfig } from '../config.js';
import { httpError } from '../errors.js';

/** Who an OIDC token names: the pair (issuer, subject) is the identity; the email is only a claim. */
export interface OidcIdentity {
  issuer: string;
  subject: string;
  email: string | null;
  /** The provider vouches for `email` (`email_verified: true`); only then may it link an existing account. */
  emailVerified: boolean;
  displayName: string | null;
  /** When the token expires; a cookie session opened with it ends then too. */
  expiresAtMs: number | null;
}

/** The identity in the verified claims of an access or ID token. */
export function identityOf(issuer: string, payload: JWTPayload): OidcIdentity {
  if (typeof payload.sub !== 'string' || payload.sub === '') {
    throw httpError('auth.bearer_invalid', 'The token has no subject.');
  }
  const email = typeof payload.email === 'string' && payload.email.includes('@') ? payload.email : null;
  return {
    issuer,
    subject: payload.sub,
    email,
    emailVerified: email !== null && payload.email_verified === true,
    displayName: typeof payload.name === 'string' ? payload.name : null,
    expiresAtMs: typeof payload.exp === 'number' ? payload.exp * 1000 : null,
  };
}

export type OidcVerifier = (token: string) => Promise<OidcIdentity>;

/** A JWT has three base64url parts; anything else is not worth a JWKS round trip. */
export const looksLikeJwt = (token: string) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);

async function discoverJwksUrl(issuer: string): Promise<string> {
  const response = await fetch(new URL('.well-known/openid-configuration', issuer.endsWith('/') ? issuer : `${issuer}/`));
  if (!response.ok) throw new Error(`OIDC discovery answered ${response.status}.`);
  const document = (await response.json()) as { jwks_uri?: unknown };
  if (typeof document.jwks_uri !== 'string') throw new Error('OIDC discovery document has no jwks_uri.');
  return document.jwks_uri;
}

/**
 * Verifies OIDC access tokens (signature against the issuer's JWKS, `iss`, `aud`, `exp`/`nbf`) and
 * maps them to an identity (see `oidc-accounts.ts` for how an identity becomes a member).
 */
export function createOidcVerifier(config: OidcConfig): OidcVerifier {
  let keys: Promise<ReturnType<typeof createRemoteJWKSet>> | null = null;
  const keySet = () =>
    (keys ??= (async () => createRemoteJWKSet(new URL(config.jwksUrl ?? (await discoverJwksUrl(config.issuer)))))().catch(
      (error: unknown) => {
        keys = null; // try discovery again on the next token
        throw error;
      },
    ));

  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await keySet(), { issuer: config.issuer, audience: config.audience }));
    } catch (error) {
      if (error instanceof errors.JOSEError && !(error instanceof errors.JWKSTimeout)) {
        const expired = error instanceof errors.JWTExpired;
        throw httpError(
          expired ? 'auth.token_expired' : 'auth.bearer_invalid',
          expired ? 'The access token has expired.' : 'The access token is not valid.',
        );
      }
      // The issuer could not be reached: not the caller's fault, and worth retrying.
      throw httpError('auth.oidc_unavailable', 'The identity provider is unavailable.', { retryAfterMs: 5_000 });
    }
    return identityOf(config.issuer, payload);
  };
}
