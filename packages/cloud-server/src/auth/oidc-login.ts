import * as oidcClient from 'openid-client';
import type { OidcConfig } from '../config.js';
import { httpError, isHttpError } from '../errors.js';
import { seal, unseal } from './cookie.js';
import { identityOf, type OidcIdentity } from './oidc.js';

/** The short-lived, HttpOnly cookie that carries one sign-in's checks from `/auth/login` to `/auth/callback`. */
export const LOGIN_COOKIE = 'open_cowork_cloud_oidc_login';
/** How long the provider may take to send the browser back. */
export const LOGIN_TTL_MS = 10 * 60 * 1000;

interface LoginClaims {
  kind: 'oidc-login';
  state: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
  returnTo: string;
  expiresAtMs: number;
}

/** `returnTo` when it is a path of this origin (not `//host`, not `/\host`, no control characters), else `/`. */
export function safeReturnTo(returnTo: string | undefined): string {
  if (!returnTo?.startsWith('/') || returnTo.startsWith('//') || returnTo.startsWith('/\\')) return '/';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses.
  return /[\u0000-\u001f\u007f]/.test(returnTo) ? '/' : returnTo;
}

/**
 * The Cloud Web sign-in: OpenID Connect authorization code flow with PKCE (`openid-client`). The
 * state, nonce and code verifier travel in a sealed cookie, so that any replica can finish the flow.
 */
export function createOidcLogin(oidc: OidcConfig & { clientId: string }, clientSecret: string | null, cookieSecret: string) {
  let discovered: Promise<oidcClient.Configuration> | null = null;
  const configuration = () =>
    (discovered ??= oidcClient
      .discovery(
        new URL(oidc.issuer),
        oidc.clientId,
        clientSecret ?? undefined,
        clientSecret ? oidcClient.ClientSecretPost(clientSecret) : oidcClient.None(),
        // A plain-http issuer is the operator's choice (a local provider); https is the norm.
        new URL(oidc.issuer).protocol === 'http:' ? { execute: [oidcClient.allowInsecureRequests] } : undefined,
      )
      .catch(() => {
        discovered = null;
        throw httpError('auth.oidc_unavailable', 'The identity provider is unavailable.', { retryAfterMs: 5_000 });
      }));

  return {
    /** The provider URL to send the browser to, and the sealed cookie that remembers this attempt. */
    async begin(redirectUri: string, returnTo: string | undefined): Promise<{ url: string; cookie: string }> {
      const config = await configuration();
      const codeVerifier = oidcClient.randomPKCECodeVerifier();
      const claims: LoginClaims = {
        kind: 'oidc-login',
        state: oidcClient.randomState(),
        nonce: oidcClient.randomNonce(),
        codeVerifier,
        redirectUri,
        returnTo: safeReturnTo(returnTo),
        expiresAtMs: Date.now() + LOGIN_TTL_MS,
      };
      const url = oidcClient.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: oidc.scope,
        response_type: 'code',
        code_challenge: await oidcClient.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state: claims.state,
        nonce: claims.nonce,
      });
      return { url: url.href, cookie: seal(claims, cookieSecret) };
    },

    /** Checks the callback against the cookie (state, nonce, PKCE), redeems the code, and names the identity. */
    async finish(callbackUrl: URL, cookie: string | undefined): Promise<{ identity: OidcIdentity; returnTo: string }> {
      const claims = cookie ? (unseal(cookie, cookieSecret) as Partial<LoginClaims> | null) : null;
      if (
        claims?.kind !== 'oidc-login' ||
        typeof claims.state !== 'string' ||
        typeof claims.expiresAtMs !== 'number' ||
        claims.expiresAtMs <= Date.now()
      ) {
        throw httpError('auth.oidc_login_expired', 'This sign-in is unknown or has expired; start again at /auth/login.');
      }
      const config = await configuration();
      // openid-client compares the redirect with the one it was issued for; the callback URL's own origin may differ behind a proxy.
      const current = new URL(`${claims.redirectUri}${callbackUrl.search}`);
      try {
        const tokens = await oidcClient.authorizationCodeGrant(config, current, {
          pkceCodeVerifier: claims.codeVerifier!,
          expectedState: claims.state,
          expectedNonce: claims.nonce!,
          idTokenExpected: true,
        });
        const idToken = tokens.claims();
        if (!idToken) throw httpError('auth.oidc_login_failed', 'The identity provider sent no ID token.');
        return { identity: { ...identityOf(oidc.issuer, idToken), expiresAtMs: null }, returnTo: claims.returnTo ?? '/' };
      } catch (error) {
        if (isHttpError(error)) throw error;
        throw httpError('auth.oidc_login_failed', 'The sign-in with the identity provider failed.', {
          body: { reason: (error as Error).message },
        });
      }
    },
  };
}
