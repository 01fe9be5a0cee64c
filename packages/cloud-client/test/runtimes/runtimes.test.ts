import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../cloud-server/test/helpers/server.js';

// The smoke program (smoke.mjs) runs against one reference server in every runtime the client
// supports, each runtime a binary shipped inside an npm package. A runtime that is not installed
// skips with a message; in CI (`CI` set) it fails instead.
const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = join(here, '..', '..', '..', '..');
const cli = join(here, 'cli.mjs');
const RUN_TIMEOUT_MS = 60_000;

/** The binary at `path` inside npm package `name` (resolved from `from`), or null when not installed. */
function packagedBinary(name: string, path: string, from = repoRoot): string | null {
  try {
    const binary = join(dirname(createRequire(join(from, 'package.json')).resolve(`${name}/package.json`)), path);
    return existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

const { platform, arch } = process;
const binaries = {
  node22: packagedBinary(`node-${platform}-${arch}`, 'bin/node', join(here, 'node22')),
  bun: packagedBinary(`@oven/bun-${platform}-${arch === 'arm64' ? 'aarch64' : arch}`, 'bin/bun'),
  deno: packagedBinary(`@deno/${platform}-${arch}${platform === 'linux' ? '-glibc' : ''}`, 'deno'),
};
const INSTALL_HINT = {
  node22: 'npm ci --prefix packages/cloud-client/test/runtimes/node22',
  bun: 'npm install (root devDependency `bun`)',
  deno: 'npm install (root devDependency `deno`)',
};

/** `it` for a runtime: skipped with a message when its binary is missing, failed instead in CI. */
function runtimeTest(name: string, binary: string | null, hint: string, body: (binary: string) => Promise<void>) {
  if (!binary && !process.env.CI) {
    console.warn(`Skipping the ${name} smoke run: its binary is not installed (${hint}).`);
    return it.skip(`the smoke program passes in ${name}`);
  }
  return it(`the smoke program passes in ${name}`, async () => {
    expect(binary, `${name} is not installed: ${hint}`).toBeTruthy();
    await body(binary!);
  });
}

let server: TestServer;
let token: string;
beforeAll(async () => {
  expect(existsSync(join(repoRoot, 'packages/cloud-client/dist/index.js')), 'run `npm run build` first').toBe(true);
  server = await startTestServer();
  token = await server.mintToken(['desktop']);
});
afterAll(() => server?.close());

/** Runs `command args` with the server's address and token; resolves to its stdout, or rejects with everything it printed. */
async function runSmoke(command: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await promisify(execFile)(command, args, {
    cwd: repoRoot,
    timeout: RUN_TIMEOUT_MS,
    env: { ...process.env, ...env, SMOKE_BASE_URL: server.baseUrl, SMOKE_TOKEN: token },
  }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(`${error.message}\nstdout: ${error.stdout}\nstderr: ${error.stderr}`);
  });
  return stdout.trim();
}

const OK = /^smoke ok \(.+, fetch SSE \+ bearer\): session ses_\w+ idle after \d+ events; unauthorized; abort$/m;

it('the smoke program passes in Node 20 (the Node running the tests)', async () => {
  const line = await runSmoke(process.execPath, [cli]);
  expect(line).toMatch(OK);
  expect(line).toContain(`Node ${process.versions.node}`);
});

runtimeTest('Node 22', binaries.node22, INSTALL_HINT.node22, async (node22) => {
  const line = await runSmoke(node22, [cli]);
  expect(line).toMatch(OK);
  expect(line).toMatch(/\(Node 22\./);
});

runtimeTest('Bun', binaries.bun, INSTALL_HINT.bun, async (bun) => {
  const line = await runSmoke(bun, ['--no-install', cli], { DO_NOT_TRACK: '1' });
  expect(line).toMatch(OK);
  expect(line).toMatch(/\(Bun \d/);
});

runtimeTest('Deno', binaries.deno, INSTALL_HINT.deno, async (deno) => {
  // Only the loopback network, the environment it reads and the repository's files.
  const permissions = ['--allow-net=127.0.0.1', '--allow-env=SMOKE_BASE_URL,SMOKE_TOKEN', `--allow-read=${repoRoot}`];
  const line = await runSmoke(deno, ['run', '--no-remote', ...permissions, cli], { DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1' });
  expect(line).toMatch(OK);
  expect(line).toMatch(/\(Deno \d/);
});
