import type { AddressInfo } from 'node:net';
import type { ApiTokenScope, OrgMemberRole } from '@open-cowork/shared';
import type { FastifyInstance } from 'fastify';
import { onTestFinished } from 'vitest';
import { buildApp } from '../../cloud-server/src/app.js';
import { createConfig, type ConfigInput, type ServerConfig } from '../../cloud-server/src/config.js';
import type { Db } from '../../cloud-server/src/store/db.js';
import type { DbTarget } from '../../cloud-server/src/store/open.js';
import { createTenantStore } from '../../cloud-server/src/store/tenants.js';
import { createTokenStore } from '../../cloud-server/src/store/tokens.js';
import { createTestTarget, type Engine } from './db.js';
import { watchDocumentedStatuses } from './documented-statuses.js';

export interface TestServerOptions {
  /** Config overrides (OIDC, operator token, SSE limits, a fixed `cookieSecret`/`port` for restarts, …). */
  config?: ConfigInput;
  /** Default `pglite`. `postgres` gets a fresh schema, dropped on `close()`, unless `store` is given. */
  engine?: Engine;
  /** PGlite data directory, to restart a server on the same data. */
  dataDir?: string;
  /** An explicit store, e.g. one Postgres schema shared by two servers. Wins over `engine`/`dataDir`. */
  store?: DbTarget;
}

export interface MintTokenOptions {
  /** The token's user; default the org owner. The user and membership are created when missing. */
  email?: string;
  role?: OrgMemberRole;
  channelBindingIds?: string[];
  expiresAt?: string;
  name?: string;
}

export interface TestServer {
  baseUrl: string;
  app: FastifyInstance;
  db: Db;
  config: ServerConfig;
  /** Issues an API token straight in the store (any scope, including `operator`); returns the secret. */
  mintToken(scopes?: ApiTokenScope[], options?: MintTokenOptions): Promise<string>;
  /** Stops the server and drops the store it owns; calling it again waits for the first close. */
  close(): Promise<void>;
}

/** The real server on 127.0.0.1 and an ephemeral port, on a fresh store. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const owned = options.store
    ? null
    : await createTestTarget(options.engine ?? 'pglite', options.dataDir ? { dataDir: options.dataDir } : {});
  const config = createConfig({
    port: 0,
    cookieSecure: false,
    ...options.config,
    store: options.store ?? owned!.target,
  });
  const app = await buildApp({ config });
  const undocumented = watchDocumentedStatuses(app);
  try {
    await app.listen({ host: '127.0.0.1', port: config.port });
  } catch (error) {
    await app.close();
    await owned?.drop();
    throw error;
  }
  const { port } = app.server.address() as AddressInfo;
  const tenants = createTenantStore();
  const tokens = createTokenStore();
  let closing: Promise<void> | undefined;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    app,
    db: app.db,
    config,
    async mintToken(scopes = ['desktop'], mint = {}) {
      const user = await tenants.ensureUser(app.db, { email: mint.email ?? config.ownerEmail });
      await tenants.ensureMembership(app.db, app.defaultOrg.orgId, user.userId, mint.role ?? (mint.email ? 'member' : 'owner'));
      const { plaintext } = await tokens.issue(app.db, {
        orgId: app.defaultOrg.orgId,
        accountId: user.userId,
        name: mint.name ?? `test ${scopes.join('+')}`,
        scopes,
        expiresAt: mint.expiresAt ?? null,
        channelBindingIds: mint.channelBindingIds ?? [],
      });
      return plaintext;
    },
    close() {
      closing ??= app
        .close()
        .then(() => owned?.drop())
        .then(() => {
          // Every test that drives this server also checks the OpenAPI document's statuses.
          const seen = undocumented();
          if (seen.length > 0) throw new Error(`Answers the OpenAPI document does not list:\n${seen.join('\n')}`);
        });
      return closing;
    },
  };
}

/**
 * `startTestServer` inside a test: the server is closed when the test ends, also when an assertion
 * failed before the end. The test may still close it earlier (a restart on the same data).
 */
export async function startServerForTest(options: TestServerOptions = {}): Promise<TestServer> {
  const server = await startTestServer(options);
  onTestFinished(() => server.close());
  return server;
}
