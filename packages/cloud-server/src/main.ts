#!/usr/bin/env node
/**
 * The local cloud: `node dist/main.js [--data-dir DIR] [--port N] [--host H] [--database-url URL]`.
 * Serves on 127.0.0.1:8787 with the embedded store under `.open-cowork-cloud/` by default, and
 * prints the URL with a freshly minted token for the local owner.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { createTenantStore } from './store/tenants.js';
import { createTokenStore } from './store/tokens.js';

const config = await loadConfig(process.argv.slice(2), process.env);
if ('dataDir' in config.store && config.store.dataDir && !existsSync(join(config.store.dataDir, 'PG_VERSION'))) {
  process.stdout.write(`Creating the embedded store in ${config.store.dataDir} (first run only, takes a few seconds)…\n`);
}
const app = await buildApp({ config });

let stopping = false;
async function shutdown(signal: NodeJS.Signals) {
  if (stopping) {
    // A second Ctrl-C means "now": skip the graceful path.
    process.exit(1);
  }
  stopping = true;
  app.log.info({ signal }, 'shutting down');
  try {
    // Stops accepting connections, lets in-flight requests finish, ends SSE streams (preClose
    // hooks), then closes the store last.
    await app.close();
    process.exit(0);
  } catch (error) {
    app.log.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

let address: string;
try {
  address = await app.listen({ host: config.host, port: config.port });
} catch (error) {
  process.stderr.write(`Cannot listen on ${config.host}:${config.port}: ${(error as Error).message}\n`);
  await app.close();
  process.exit(1);
}

const owner = await createTenantStore(app.db).ensureUser({ email: config.ownerEmail });
const { plaintext } = await createTokenStore(app.db).issue({
  orgId: app.defaultOrg.orgId,
  accountId: owner.userId,
  name: `local token ${new Date().toISOString()}`,
  scopes: ['desktop', 'gateway', 'admin'],
});

const store = 'dataDir' in config.store ? `embedded store in ${config.store.dataDir}` : 'PostgreSQL (DATABASE_URL)';
process.stdout.write(
  [
    '',
    `Open Cowork Cloud (reference server) is listening on ${address}`,
    `  store:       ${store}`,
    `  runtime:     ${app.runtime.adapter.name}: ${app.runtime.adapter.description}`,
    `  local token: ${plaintext}`,
    `               (owner ${config.ownerEmail}; scopes desktop, gateway, admin)`,
    `  try:         curl -H "Authorization: Bearer ${plaintext}" ${address}/auth/me`,
    '',
    '',
  ].join('\n'),
);
