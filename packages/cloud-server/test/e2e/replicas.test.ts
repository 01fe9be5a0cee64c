import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { CloudSessionEvent, TypedCloudWorkspaceEvent } from '@open-cowork/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresSchema, type PostgresSchema, postgresAvailable } from '@open-cowork/test-support/db';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';
import { clientFor, hasType, record } from './harness.js';

const packageDir = fileURLToPath(new URL('../../', import.meta.url));
// Inside the package (git-ignored), so the build resolves node_modules like the real one.
const buildDir = `${packageDir}test-artifacts/replica-${process.pid}/`;

/** Compiles the server and starts `main.js` as a second process on `schema`; resolves with its URL. */
async function startReplica(schema: PostgresSchema): Promise<{ child: ChildProcess; baseUrl: string }> {
  if (!existsSync(fileURLToPath(new URL('../../../shared/dist/index.js', import.meta.url)))) {
    throw new Error('The replica process needs the built workspace packages: run `npm run build` first.');
  }
  // Its own build info: the one in dist describes dist.
  const tsc = [
    `${packageDir}../../node_modules/typescript/bin/tsc`,
    '-p',
    `${packageDir}tsconfig.build.json`,
    '--outDir',
    buildDir,
    '--tsBuildInfoFile',
    `${buildDir}build.tsbuildinfo`,
  ];
  await promisify(execFile)(process.execPath, tsc).catch((error: { stdout?: string }) => {
    throw new Error(`The server does not compile:\n${error.stdout ?? ''}`);
  });
  await cp(`${packageDir}src/store/migrations`, `${buildDir}store/migrations`, { recursive: true });
  const child = spawn(process.execPath, [`${buildDir}main.js`, '--port', '0', '--host', '127.0.0.1'], {
    env: {
      ...process.env,
      DATABASE_URL: schema.target.databaseUrl,
      OPEN_COWORK_CLOUD_DATABASE_SCHEMA: schema.target.schema,
      OPEN_COWORK_CLOUD_COOKIE_SECRET: 'x'.repeat(32),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`The replica did not start:\n${output}`)), 60_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(output);
      if (url) {
        clearTimeout(timer);
        resolve(url[0]);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => reject(new Error(`The replica exited with ${code}:\n${output}`)));
  });
  return { child, baseUrl };
}

describe.skipIf(!postgresAvailable)('two server processes on one PostgreSQL', () => {
  let schema: PostgresSchema;
  let local: TestServer;
  let replica: { child: ChildProcess; baseUrl: string };
  let token: string;

  beforeAll(async () => {
    schema = await createPostgresSchema();
    local = await startTestServer({ store: schema.target });
    token = await local.mintToken(['desktop']);
    replica = await startReplica(schema);
  }, 120_000);

  afterAll(async () => {
    if (replica?.child.exitCode === null) replica.child.kill('SIGKILL');
    await local?.close();
    await schema?.drop();
    await rm(buildDir, { recursive: true, force: true });
  });

  it('delivers events appended through one process to SSE subscribers of the other, both ways', async () => {
    const here = clientFor(local.baseUrl, token);
    const there = clientFor(replica.baseUrl, token);
    const { session } = await here.createSession();
    const remoteSession = record<CloudSessionEvent>((handlers) => there.subscribeSessionEvents(session.sessionId, handlers));
    const remoteWorkspace = record<TypedCloudWorkspaceEvent>((handlers) =>
      there.subscribeWorkspaceEvents({ ...handlers, afterSequence: 1 }),
    );
    await here.promptSession(session.sessionId, { text: 'across processes' });
    const events = [...(await remoteSession.until(hasType('session.idle')))];
    expect(events.map((event) => event.sequence)).toEqual(events.map((_, index) => index + 1));
    const last = events.at(-1)!.sequence;
    await remoteWorkspace.until((all) => all.some((event) => event.type === 'session.idle'));

    // And back: a prompt accepted by the replica reaches a subscriber of this process.
    const localSession = record<CloudSessionEvent>((handlers) =>
      here.subscribeSessionEvents(session.sessionId, { ...handlers, afterSequence: last }),
    );
    await there.promptSession(session.sessionId, { text: 'and back' });
    await localSession.until(hasType('session.idle'));
    expect(localSession.events[0]).toMatchObject({ type: 'prompt.submitted', sequence: last + 1 });
    [remoteSession, remoteWorkspace, localSession].forEach((recording) => recording.close());
  });

  it('shuts the replica down gracefully on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => replica.child.once('exit', resolve));
    replica.child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
