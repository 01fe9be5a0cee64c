import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killWhenTestEnds } from '@open-cowork/test-support/process';
import { call } from './helpers/http.js';

// `npm test` builds first; a bare `vitest run` without a build skips this file.
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const ENV = { ...process.env, DATABASE_URL: '', OPEN_COWORK_CLOUD_LOG_LEVEL: 'warn' };

interface Running {
  child: ChildProcess;
  baseUrl: string;
  token: string;
  banner: string;
  /** Everything printed so far, banner included. */
  output: () => string;
  exited: Promise<number | null>;
}

async function startMain(dataDir: string, flags: string[] = [], env: NodeJS.ProcessEnv = ENV): Promise<Running> {
  const child = spawn(process.execPath, [MAIN, '--data-dir', dataDir, '--port', '0', ...flags], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  killWhenTestEnds(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  const banner = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/other port:.*\n/.test(output)) resolve(output);
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then((code) => reject(new Error(`main exited with ${code} before printing its banner:\n${output}`)));
  });
  return {
    child,
    baseUrl: /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)![1]!,
    token: /local token:\s+(\S+)/.exec(banner)![1]!,
    banner,
    output: () => output,
    exited,
  };
}

async function stop(running: Running, signal: NodeJS.Signals = 'SIGTERM') {
  running.child.kill(signal);
  expect(await running.exited).toBe(0);
}

async function until<T>(find: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs main to its exit: the exit code, both outputs, and how long it took. */
function runMain(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [MAIN, ...args], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started })));
}

describe.runIf(existsSync(MAIN))('the local cloud CLI', () => {
  let root: string;
  let dataDir: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'occ-main-'));
    dataDir = join(root, 'data');
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('prints where everything is, keeps one owner token across restarts, and shuts down cleanly', async () => {
    const first = await startMain(dataDir);
    expect(first.banner).toContain(`Cloud Web:     ${first.baseUrl}/`);
    expect(first.banner).toContain(`API reference: ${first.baseUrl}/docs  (OpenAPI 3.1: ${first.baseUrl}/api/openapi.json)`);
    expect(first.banner).toContain(`embedded store in ${dataDir}`);
    expect(first.banner).toMatch(/stop:\s+Ctrl-C/);
    expect(first.banner).toContain('--port');
    const me = await call(first.baseUrl, '/auth/me', { bearer: first.token });
    expect(me.body.principal).toMatchObject({ email: 'owner@localhost', role: 'owner', scopes: ['desktop', 'gateway', 'admin'] });
    expect((await call(first.baseUrl, '/api/openapi.json')).status).toBe(200);
    expect((await fetch(`${first.baseUrl}/docs`)).status).toBe(200);
    const session = await call(first.baseUrl, '/auth/session', { body: { token: first.token } });
    await stop(first);

    const tokenFile = join(dataDir, 'local-token');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect((await readFile(tokenFile, 'utf8')).trim()).toBe(first.token);

    const second = await startMain(dataDir);
    try {
      expect(second.token).toBe(first.token);
      // The cookie secret was persisted with the data too.
      expect((await call(second.baseUrl, '/auth/me', { cookies: session.setCookies })).status).toBe(200);
    } finally {
      await stop(second, 'SIGINT');
    }
  }, 180_000);

  it('--rotate-token revokes the kept token and keeps a new one', async () => {
    const before = (await readFile(join(dataDir, 'local-token'), 'utf8')).trim();
    const rotated = await startMain(dataDir, ['--rotate-token']);
    try {
      expect(rotated.token).not.toBe(before);
      expect((await call(rotated.baseUrl, '/auth/me', { bearer: before })).status).toBe(401);
      expect((await call(rotated.baseUrl, '/auth/me', { bearer: rotated.token })).status).toBe(200);
      expect((await readFile(join(dataDir, 'local-token'), 'utf8')).trim()).toBe(rotated.token);
    } finally {
      await stop(rotated);
    }
  }, 120_000);

  it('logs one JSON line per request at the default level, without query strings or credentials', async () => {
    const { OPEN_COWORK_CLOUD_LOG_LEVEL: _, ...defaults } = ENV;
    const running = await startMain(dataDir, [], defaults);
    try {
      const token = running.token;
      const me = await call(running.baseUrl, `/auth/me?access_token=${token}`, {
        bearer: token,
        headers: { 'x-request-id': 'log-probe-1' },
      });
      expect(me.status).toBe(200);
      const line = await until(() =>
        running
          .output()
          .split('\n')
          .find((text) => text.includes('log-probe-1')),
      );
      expect(JSON.parse(line)).toMatchObject({
        level: 30,
        reqId: 'log-probe-1',
        method: 'GET',
        path: '/auth/me',
        status: 200,
        ms: expect.any(Number),
      });
      expect(
        running
          .output()
          .split('\n')
          .filter((text) => text.includes('log-probe-1')),
      ).toHaveLength(1);
      expect(running.output().slice(running.banner.length)).not.toContain(token);
    } finally {
      await stop(running);
    }
  }, 120_000);

  it('--help prints the usage and exits 0', async () => {
    const result = await runMain(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm start -- \[options\]/);
    expect(result.stdout).toContain('--port N');
    expect(result.stdout).toContain('--rotate-token');
  });

  it('an unknown flag prints one line and the usage, and exits 2 without a stack trace', async () => {
    const result = await runMain(['--prot', '9000']);
    expect(result.code).toBe(2);
    const [first, blank, usage] = result.stderr.split('\n');
    expect(first).toMatch(/'--prot'/);
    expect(blank).toBe('');
    expect(usage).toMatch(/^Usage:/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stdout).toBe('');
  });

  it('a busy port is reported before the store is touched, naming the --port flag', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as AddressInfo;
    const fresh = join(root, 'never-created');
    try {
      const result = await runMain(['--data-dir', fresh, '--port', String(port)]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`Port ${port} on 127.0.0.1 is already in use`);
      expect(result.stderr).toContain('--port');
      expect(result.stderr).not.toMatch(/^\s+at /m);
      expect(existsSync(join(fresh, 'PG_VERSION'))).toBe(false);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
