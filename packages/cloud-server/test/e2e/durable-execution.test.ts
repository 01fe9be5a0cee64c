import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CloudSessionEvent } from '@open-cowork/shared';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { quoteIdentifier } from '../../src/store/postgres.js';
import { createPostgresSchema, createTestTarget, type PostgresSchema, postgresAvailable } from '@open-cowork/test-support/db';
import { clientFor, type Client, record, waitFor } from './harness.js';

// Real server processes (`npm test` builds first; a bare `vitest run` without a build skips this file).
const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
/** Short leases, so that recovery after a kill takes seconds; renewals leave a wide margin on a loaded machine. */
const LEASE_MS = 4_000;
const RENEW_MS = 1_000;

type Store = { dataDir: string } | PostgresSchema['target'];

interface Cloud {
  child: ChildProcess;
  baseUrl: string;
  token: string;
  exited: Promise<number | null>;
  output: () => string;
}

const running = new Set<ChildProcess>();

function spawnCloud(store: Store, leaseMs = LEASE_MS): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  // An embedded store keeps its local token across restarts; with PostgreSQL each start mints one to print.
  const args = [MAIN, '--port', '0', '--host', '127.0.0.1', ...('dataDir' in store ? ['--data-dir', store.dataDir] : ['--rotate-token'])];
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      DATABASE_URL: 'databaseUrl' in store ? store.databaseUrl : '',
      OPEN_COWORK_CLOUD_DATABASE_SCHEMA: 'schema' in store ? store.schema : '',
      OPEN_COWORK_CLOUD_COOKIE_SECRET: 'x'.repeat(32),
      OPEN_COWORK_CLOUD_LEASE_MS: String(leaseMs),
      OPEN_COWORK_CLOUD_LEASE_RENEW_MS: String(RENEW_MS),
      OPEN_COWORK_CLOUD_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  return { child, exited, output: () => output };
}

/** Starts `main.js` on `store` and waits for its banner (URL and a fresh owner token). */
async function startCloud(store: Store, leaseMs?: number): Promise<Cloud> {
  const spawned = spawnCloud(store, leaseMs);
  const deadline = Date.now() + 90_000;
  for (;;) {
    const banner = /listening on (http:\/\/127\.0\.0\.1:\d+)[\s\S]*local token:\s+(\S+)/.exec(spawned.output());
    if (banner) return { ...spawned, baseUrl: banner[1]!, token: banner[2]! };
    if (spawned.child.exitCode !== null || Date.now() > deadline) throw new Error(`The server did not start:\n${spawned.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function kill9(cloud: Cloud): Promise<void> {
  cloud.child.kill('SIGKILL');
  await cloud.exited;
}

/** Every event of a session so far, read by replaying its stream from the start. */
async function eventsOf(
  client: Client,
  sessionId: string,
  done: (events: CloudSessionEvent[]) => boolean,
  timeoutMs = 60_000,
): Promise<CloudSessionEvent[]> {
  const recording = record<CloudSessionEvent>((handlers) => client.subscribeSessionEvents(sessionId, handlers));
  try {
    return [...(await recording.until(done, timeoutMs))];
  } finally {
    recording.close();
  }
}

const byCommand = (commandId: string) => (event: CloudSessionEvent) => event.payload.commandId === commandId;
const turnEnded = (commandId: string) => (events: CloudSessionEvent[]) =>
  events.some((event) => event.type === 'session.idle' && byCommand(commandId)(event));
const isStreaming = (commandId: string) => (events: CloudSessionEvent[]) =>
  events.some((event) => event.type === 'assistant.message' && byCommand(commandId)(event));

/** No gap and no duplicate: sequences are 1..n and event ids are unique. */
function expectGapless(events: CloudSessionEvent[]): void {
  expect(events.map((event) => event.sequence)).toEqual(events.map((_, index) => index + 1));
  expect(new Set(events.map((event) => event.eventId)).size).toBe(events.length);
}

/** A turn cut short by a dead worker: closed with runtime.interrupted and idle, and nothing of it after. */
function expectInterrupted(events: CloudSessionEvent[], commandId: string): void {
  const ofTurn = events.filter(byCommand(commandId));
  expect(ofTurn.slice(-2).map((event) => [event.type, event.payload.code])).toEqual([
    ['runtime.error', 'runtime.interrupted'],
    ['session.idle', undefined],
  ]);
}

/** The store of a PostgreSQL schema, read directly. */
async function queryPostgres<Row>(schema: PostgresSchema, sql: string, params: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({
    connectionString: schema.target.databaseUrl,
    options: `-c search_path=${quoteIdentifier(schema.target.schema)}`,
  });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as Row[];
  } finally {
    await client.end();
  }
}

async function workerOf(cloud: Cloud): Promise<string> {
  const status = (await clientFor(cloud.baseUrl, cloud.token).getRuntimeStatus()) as unknown as { process: { workerId: string } };
  return status.process.workerId;
}

describe.runIf(existsSync(MAIN))('durable execution across server processes', () => {
  const cleanups: (() => Promise<unknown>)[] = [];

  afterEach(async () => {
    for (const child of running) child.kill('SIGKILL');
    await Promise.all([...running].map((child) => new Promise((resolve) => child.once('exit', resolve))));
  });
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  async function pgliteDir(): Promise<{ dataDir: string }> {
    const root = await mkdtemp(join(tmpdir(), 'occ-durable-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const dataDir = join(root, 'data');
    // A copy of the run's migrated template: opens much faster than a new database.
    await createTestTarget('pglite', { dataDir });
    return { dataDir };
  }

  async function postgresSchema(): Promise<PostgresSchema> {
    const schema = await createPostgresSchema();
    cleanups.push(() => schema.drop());
    return schema;
  }

  const restartEngines = postgresAvailable ? (['pglite', 'postgres'] as const) : (['pglite'] as const);

  it.each(restartEngines)(
    'kill -9 mid-turn and a restart on the same data (%s): the turn is closed with runtime.error, the sequence has no gap, the next prompt is answered',
    async (engine) => {
      const store = engine === 'pglite' ? await pgliteDir() : (await postgresSchema()).target;
      const first = await startCloud(store);
      const cloud = clientFor(first.baseUrl, first.token);
      const { session } = await cloud.createSession();
      const prompted = await cloud.promptSession(session.sessionId, { text: 'a long answer [stream:2000]' });
      const { commandId } = prompted.command;
      await eventsOf(cloud, session.sessionId, isStreaming(commandId));
      await kill9(first);

      const killedAt = Date.now();
      const second = await startCloud(store);
      const after = clientFor(second.baseUrl, first.token);
      const events = await eventsOf(after, session.sessionId, turnEnded(commandId));
      // Within one lease period of the kill (plus the restart itself, on a slow machine).
      expect(Date.now() - killedAt).toBeLessThan(LEASE_MS + 60_000);
      expectInterrupted(events, commandId);
      expectGapless(events);
      expect((await after.getSession(session.sessionId)).session.status).toBe('idle');

      const next = await after.promptSession(session.sessionId, { text: 'are you back?' });
      const all = await eventsOf(after, session.sessionId, turnEnded(next.command.commandId));
      expectGapless(all);
      expect(all.filter(byCommand(next.command.commandId)).map((event) => event.type)).not.toContain('runtime.error');
    },
    240_000,
  );

  it('refuses a second process on the same embedded store, naming the holder; after a kill -9 the next start takes the stale lock over', async () => {
    const store = await pgliteDir();
    const first = await startCloud(store);
    const cloud = clientFor(first.baseUrl, first.token);
    const { session } = await cloud.createSession();
    const filesBefore = (await readdir(store.dataDir)).sort();

    const second = spawnCloud(store);
    expect(await second.exited).not.toBe(0);
    expect(second.output()).toContain(`in use by process ${first.child.pid}`);
    expect(second.output()).not.toContain('listening on');
    // It wrote nothing: the first server still serves the same data, and the directory is as it was.
    expect((await readdir(store.dataDir)).sort()).toEqual(filesBefore);
    expect((await cloud.getSession(session.sessionId)).session.sessionId).toBe(session.sessionId);

    await kill9(first);
    const third = await startCloud(store);
    expect((await clientFor(third.baseUrl, first.token).getSession(session.sessionId)).session.sessionId).toBe(session.sessionId);
  }, 240_000);

  describe.runIf(postgresAvailable)('two replicas on one PostgreSQL', () => {
    it('recovers the turn of a killed replica on the other within the lease period', async () => {
      const schema = await postgresSchema();
      const [a, b] = await Promise.all([startCloud(schema.target), startCloud(schema.target)]);
      const cloud = clientFor(a.baseUrl, a.token);
      const { session } = await cloud.createSession();
      const prompted = await cloud.promptSession(session.sessionId, { text: 'long [stream:2000]' });
      const { commandId } = prompted.command;
      await eventsOf(cloud, session.sessionId, isStreaming(commandId));
      const [holder] = await queryPostgres<{ worker_id: string }>(schema, 'SELECT worker_id FROM session_leases WHERE session_id = $1', [
        session.sessionId,
      ]);
      const [victim, survivor] = holder!.worker_id === (await workerOf(a)) ? [a, b] : [b, a];

      await kill9(victim);
      const killedAt = Date.now();
      const other = clientFor(survivor.baseUrl, a.token);
      const events = await eventsOf(other, session.sessionId, turnEnded(commandId));
      expect(Date.now() - killedAt).toBeLessThan(LEASE_MS + 15_000);
      expectInterrupted(events, commandId);
      expectGapless(events);
      const [command] = await queryPostgres<{ status: string; last_error_code: string }>(
        schema,
        'SELECT status, last_error_code FROM session_commands WHERE command_id = $1',
        [commandId],
      );
      expect(command).toEqual({ status: 'failed', last_error_code: 'runtime.interrupted' });

      const next = await other.promptSession(session.sessionId, { text: 'still there?' });
      expectGapless(await eventsOf(other, session.sessionId, turnEnded(next.command.commandId)));
    }, 240_000);

    it('hands the sessions of a replica shut down gracefully to the other, without an interruption error', async () => {
      // Long leases: the hand-over must not wait for one to expire.
      const schema = await postgresSchema();
      const [a, b] = await Promise.all([startCloud(schema.target, 60_000), startCloud(schema.target, 60_000)]);
      const cloud = clientFor(a.baseUrl, a.token);
      const { session } = await cloud.createSession();
      // The first turn waits for a permission, so the prompts behind it are still queued at SIGTERM.
      const first = await cloud.promptSession(session.sessionId, { text: '[permission] list the files' });
      const queued = [];
      for (let n = 0; n < 3; n += 1) queued.push(await cloud.promptSession(session.sessionId, { text: `queued ${n}` }));
      const asked = await eventsOf(cloud, session.sessionId, (events) => events.some((event) => event.type === 'permission.requested'));
      const permissionId = String(asked.find((event) => event.type === 'permission.requested')!.payload.permissionId);
      const [holder] = await queryPostgres<{ worker_id: string }>(schema, 'SELECT worker_id FROM session_leases WHERE session_id = $1', [
        session.sessionId,
      ]);
      const [leaving, staying] = holder!.worker_id === (await workerOf(a)) ? [a, b] : [b, a];
      const stayingWorker = await workerOf(staying);

      leaving.child.kill('SIGTERM');
      // Once it says it is shutting down it claims nothing more: its turn still runs, and the
      // answer, accepted by the other replica, reaches it there.
      await waitFor(
        () =>
          fetch(`${leaving.baseUrl}/readyz`).then(
            (response) => response.status === 503,
            () => true,
          ),
        { timeoutMs: 30_000, what: 'the leaving replica to shut down' },
      );
      const other = clientFor(staying.baseUrl, a.token);
      await other.respondToPermission(session.sessionId, { permissionId, response: 'once' });
      expect(await leaving.exited).toBe(0);
      const events = await eventsOf(other, session.sessionId, turnEnded(queued.at(-1)!.command.commandId), 50_000);
      expectGapless(events);
      expect(events.filter((event) => event.type === 'runtime.error')).toEqual([]);
      expect(events.filter(byCommand(first.command.commandId)).at(-1)!.type).toBe('session.idle');
      const promptCommands = () =>
        queryPostgres<{ status: string; claimed_by: string }>(
          schema,
          'SELECT status, claimed_by FROM session_commands WHERE session_id = $1 AND kind = $2 ORDER BY created_sequence',
          [session.sessionId, 'prompt'],
        );
      // A prompt is acknowledged in the commit of its turn's last event, so seeing that event is enough.
      const commands = await promptCommands();
      expect(commands.map((command) => command.status)).toEqual(['acked', 'acked', 'acked', 'acked']);
      expect(commands[0]!.claimed_by).toBe(holder!.worker_id);
      // The prompts queued behind the running turn were run by the replica that stayed.
      expect(commands.at(-1)!.claimed_by).toBe(stayingWorker);
    }, 240_000);

    it('100 prompts over 5 sessions, 2 replicas and a kill -9 and restart in the middle: every accepted prompt ends exactly once, in order, no event twice', async () => {
      const schema = await postgresSchema();
      let replicas = await Promise.all([startCloud(schema.target), startCloud(schema.target)]);
      const token = replicas[0]!.token;
      const clients = () => replicas.map((replica) => clientFor(replica.baseUrl, token));
      const sessions = await Promise.all(Array.from({ length: 5 }, () => clients()[0]!.createSession()));
      const accepted = new Map<string, string[]>(sessions.map(({ session }) => [session.sessionId, []]));

      const send = async (round: number) => {
        await Promise.all(
          sessions.map(async ({ session }, index) => {
            const client = clients()[(round + index) % 2]!;
            const response = await client.promptSession(session.sessionId, { text: `prompt ${round} [stream:3]` });
            accepted.get(session.sessionId)!.push(response.command.commandId);
          }),
        );
      };
      for (let round = 0; round < 10; round += 1) await send(round);
      // One replica dies mid-queue and a new one starts on the same database.
      await kill9(replicas[1]!);
      replicas = [replicas[0]!, await startCloud(schema.target)];
      for (let round = 10; round < 20; round += 1) await send(round);

      await waitFor(
        async () =>
          (
            await queryPostgres<{ n: number }>(
              schema,
              `SELECT count(*)::int AS n FROM session_commands WHERE status IN ('pending', 'running')`,
            )
          )[0]!.n === 0,
        { timeoutMs: 180_000, intervalMs: 500, what: 'every prompt to be settled' },
      );
      const commands = await queryPostgres<{ command_id: string; session_id: string; status: string }>(
        schema,
        'SELECT command_id, session_id, status FROM session_commands',
      );
      expect(commands).toHaveLength(100);
      for (const { session } of sessions) {
        const ids = accepted.get(session.sessionId)!;
        expect(ids).toHaveLength(20);
        const events = await eventsOf(clients()[0]!, session.sessionId, turnEnded(ids.at(-1)!));
        expectGapless(events);
        // Each prompt ends exactly once (one session.idle of its own), in the order it was accepted.
        const ends = events.filter((event) => event.type === 'session.idle').map((event) => String(event.payload.commandId));
        const submitted = events.filter((event) => event.type === 'prompt.submitted').map((event) => String(event.payload.commandId));
        expect(ends).toEqual(submitted);
        expect(new Set(ends).size).toBe(20);
        // No turn ran twice: one busy status per prompt at most.
        for (const id of ids)
          expect(events.filter((event) => event.type === 'session.status' && byCommand(id)(event)).length).toBeLessThanOrEqual(1);
        // Answered, or failed with a runtime.error saying why.
        for (const id of ids) {
          const status = commands.find((command) => command.command_id === id)!.status;
          const errors = events.filter((event) => event.type === 'runtime.error' && byCommand(id)(event));
          expect([status, errors.length]).toEqual(status === 'acked' ? ['acked', 0] : ['failed', 1]);
        }
      }
    }, 400_000);
  });
});
