#!/usr/bin/env node
/**
 * The local cloud: `node dist/main.js [options]` (`--help` lists them). Serves on 127.0.0.1:8787
 * with the embedded store under `.open-cowork-cloud/` by default, and prints the URL with the
 * local owner's token.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseCli, portProblem, USAGE } from './cli.js';
import { loadConfig } from './config.js';
import { LOCAL_TOKEN_FILE, LOCAL_TOKEN_SCOPES, localOwnerToken } from './local-token.js';
import { API_REFERENCE_PATH, OPENAPI_DOCUMENT_PATH } from './openapi-paths.js';

const argv = process.argv.slice(2);
const command = parseCli(argv);
if (command.kind === 'help') {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (command.kind === 'usage-error') {
  process.stderr.write(`${command.message}\n\n${USAGE}`);
  process.exit(2);
}

let config: Awaited<ReturnType<typeof loadConfig>>;
try {
  config = await loadConfig(argv, process.env);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}
const busy = await portProblem(config.host, config.port);
if (busy) {
  process.stderr.write(`${busy}\n`);
  process.exit(1);
}

const dataDir = 'dataDir' in config.store ? config.store.dataDir : null;
if (dataDir && !existsSync(join(dataDir, 'PG_VERSION'))) {
  process.stdout.write(`Creating the embedded store in ${dataDir} (first run only, takes a few seconds)…\n`);
}
// Loaded only now, so that `--help`, a bad flag or a busy port answer without loading the server.
const { buildApp } = await import('./app.js');
let app: Awaited<ReturnType<typeof buildApp>>;
try {
  app = await buildApp({ config });
} catch (error) {
  // A store held by another server, an unreachable database: say why, without a stack trace.
  process.stderr.write(`Cannot start: ${(error as Error).message}\n`);
  process.exit(1);
}

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

const tokenFile = dataDir ? join(dataDir, LOCAL_TOKEN_FILE) : null;
const token = await localOwnerToken(app, { file: tokenFile, rotate: command.rotateToken });

let address: string;
try {
  address = await app.listen({ host: config.host, port: config.port });
} catch (error) {
  // The port was free a moment ago; something took it in between.
  process.stderr.write(`Cannot listen on ${config.host}:${config.port}: ${(error as Error).message}. Use --port to pick another.\n`);
  await app.close();
  process.exit(1);
}

const tokenLines = token
  ? [
      `  local token:   ${token}`,
      `                 owner ${config.ownerEmail}, scopes ${LOCAL_TOKEN_SCOPES.join(', ')}; ` +
        (tokenFile ? `kept in ${tokenFile} (--rotate-token for a new one)` : 'shown once: it is not kept with PostgreSQL'),
    ]
  : ['  local token:   none kept with PostgreSQL (start once with --rotate-token to mint one)'];
process.stdout.write(
  [
    '',
    `Open Cowork Cloud (reference server) is listening on ${address}`,
    `  Cloud Web:     ${address}/  (sign in with the local token)`,
    `  API reference: ${address}${API_REFERENCE_PATH}  (OpenAPI 3.1: ${address}${OPENAPI_DOCUMENT_PATH})`,
    ...tokenLines,
    `  data:          ${dataDir ? `embedded store in ${dataDir}` : 'PostgreSQL (--database-url / DATABASE_URL)'}`,
    `  runtime:       ${app.runtime.adapter.name}: ${app.runtime.adapter.description}`,
    '  stop:          Ctrl-C',
    '  other port:    npm start -- --port N   (npm start -- --help for every option)',
    '',
    '',
  ].join('\n'),
);
