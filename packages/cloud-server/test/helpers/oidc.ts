import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import type { ConfigInput, OidcConfig } from '../../src/config.js';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';

export interface TestIssuer {
  /** Pass as `config.oidc`: discovery on this issuer finds the JWKS. */
  oidc: OidcConfig;
  /** A signed access token; `claims` override `sub`/`email`/`aud`/`iss`, `expiresIn` e.g. '-1m' for expired. */
  sign(claims?: JWTPayload, options?: { expiresIn?: string; foreignKey?: boolean }): Promise<string>;
  close(): Promise<void>;
}

/** A real OIDC issuer on 127.0.0.1: discovery document and JWKS of an RS256 key generated here. */
export async function startTestIssuer(audience = 'open-cowork-test'): Promise<TestIssuer> {
  const [signing, foreign] = await Promise.all([generateKeyPair('RS256'), generateKeyPair('RS256')]);
  const jwk = { ...(await exportJWK(signing.publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  let issuer = '';
  const server: Server = createServer((request, response) => {
    const body =
      request.url === '/.well-known/openid-configuration'
        ? { issuer, jwks_uri: `${issuer}/jwks` }
        : request.url === '/jwks'
          ? { keys: [jwk] }
          : null;
    response.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    oidc: { issuer, audience, jwksUrl: null, clientId: 'desktop-test', scope: 'openid email' },
    sign: (claims = {}, options = {}) =>
      new SignJWT({ sub: 'user-1', email: 'user-1@example.test', ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
        .setIssuer(typeof claims.iss === 'string' ? claims.iss : issuer)
        .setAudience((claims.aud as string | undefined) ?? audience)
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? '5m')
        .sign(options.foreignKey ? foreign.privateKey : signing.privateKey),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface ServerWithIssuer {
  issuer: TestIssuer;
  server: TestServer;
  /** Closes the server, then the issuer. */
  close(): Promise<void>;
}

/** A test issuer and a test server that trusts it for bearer OIDC (`config` adds to that). */
export async function startServerWithIssuer(config: ConfigInput = {}): Promise<ServerWithIssuer> {
  const issuer = await startTestIssuer();
  const server = await startTestServer({ config: { oidc: issuer.oidc, ...config } });
  return {
    issuer,
    server,
    async close() {
      await server.close();
      await issuer.close();
    },
  };
}
