import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { call } from './helpers/http.js';

// `npm test` builds first; a bare `vitest run` without a build skips this file.
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

interface Running {
  child: ChildProcess;
  baseUrl: string;
  token: string;
  exited: Promise<number | null>;
}

async function startMain(dataDir: string): Promise<Running> {
  const child = spawn(process.execPath, [MAIN, '--data-dir', dataDir, '--port', '0'], {
    env: { ...process.env, DATABASE_URL: '', OPEN_COWORK_CLOUD_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  const banner = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/local token: \S+/.test(output)) resolve(output);
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then((code) => reject(new Error(`main exited with ${code} before printing a token:\n${output}`)));
  });
  return {
    child,
    baseUrl: /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner)![1]!,
    token: /local token: (\S+)/.exec(banner)![1]!,
    exited,
  };
}

describe.runIf(existsSync(MAIN))('the local cloud CLI', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('prints the URL and a working owner token, shuts down cleanly on SIGTERM, and restarts on the same data', async () => {
    const dataDir = join(await mkdtemp(join(tmpdir(), 'occ-main-')), 'data');
    dirs.push(dataDir);
    const first = await startMain(dataDir);
    const me = await call(first.baseUrl, '/auth/me', { bearer: first.token });
    expect(me.body.principal).toMatchObject({ email: 'owner@localhost', role: 'owner', scopes: ['desktop', 'gateway', 'admin'] });
    const session = await call(first.baseUrl, '/auth/session', { body: { token: first.token } });
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = await startMain(dataDir);
    try {
      // The first run's token and cookie secret were persisted with the data.
      expect((await call(second.baseUrl, '/auth/me', { bearer: first.token })).status).toBe(200);
      expect((await call(second.baseUrl, '/auth/me', { cookies: session.setCookies })).status).toBe(200);
      expect(second.token).not.toBe(first.token);
    } finally {
      second.child.kill('SIGINT');
      expect(await second.exited).toBe(0);
    }
  }, 90_000);
});
