import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { CHROMIUM, launchChromium, withChromium } from '@open-cowork/test-support/chromium';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';

// The smoke program (smoke.mjs) runs against one reference server in every runtime the client
// supports, each runtime a binary shipped inside an npm package (the platform package itself, not
// a wrapper whose post-install script would move the binary). A runtime that is not installed
// skips with a message; in CI (`CI` set) it fails instead.
const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = join(here, '..', '..', '..', '..');
const cli = join(here, 'cli.mjs');
const RUN_TIMEOUT_MS = 60_000;
/** A run plus starting its runtime (Chromium, workerd) on a loaded two-core machine. */
const TEST_TIMEOUT_MS = 120_000;

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
  workerd: packagedBinary(`@cloudflare/workerd-${platform}-${arch === 'x64' ? '64' : arch}`, 'bin/workerd'),
};
const INSTALL_HINT = {
  node22: 'npm ci --prefix packages/cloud-client/test/runtimes/node22',
  bun: 'npm install (root optionalDependency @oven/bun-linux-x64)',
  deno: 'npm install (root optionalDependency @deno/linux-x64-glibc)',
  workerd: 'npm install (root optionalDependency @cloudflare/workerd-linux-64)',
};

/** `it` for a runtime: skipped with a message when its binary is missing, failed instead in CI. */
function runtimeTest(name: string, binary: string | null, hint: string, body: (binary: string) => Promise<void>) {
  if (!binary && !process.env.CI) {
    console.warn(`Skipping the ${name} smoke run: its binary is not installed (${hint}).`);
    return it.skip(`the smoke program passes in ${name}`);
  }
  return it(
    `the smoke program passes in ${name}`,
    async () => {
      expect(binary, `${name} is not installed: ${hint}`).toBeTruthy();
      await body(binary!);
    },
    TEST_TIMEOUT_MS,
  );
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
const OK_COOKIE = /^smoke ok \(.+, EventSource \+ cookie\): session ses_\w+ idle after \d+ events; unauthorized; abort$/m;

it('the smoke program passes in Node 20 (the Node running the tests)', async () => {
  const line = await runSmoke(process.execPath, [cli]);
  expect(line).toMatch(OK);
  expect(line).toContain(`Node ${process.versions.node}`);
});

it('the smoke program prints the failed step and exits 1 when the server is unreachable', async () => {
  const failed = await promisify(execFile)(process.execPath, [cli], {
    timeout: RUN_TIMEOUT_MS,
    env: { ...process.env, SMOKE_BASE_URL: 'http://127.0.0.1:1', SMOKE_TOKEN: 'occ_tok_unused' },
  }).catch((error: { code: number; stdout: string }) => error);
  expect(failed).toMatchObject({
    code: 1,
    stdout: expect.stringMatching(/^smoke FAILED \(Node [\d.]+, fetch SSE \+ bearer\) at a bad token gets unauthorized: .*kind network/m),
  });
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

/** One bundle of `entry` and the client it imports, as a browser or a worker loads it. */
async function bundle(entry: string, format: 'esm' | 'iife'): Promise<string> {
  const result = await build({
    entryPoints: [join(here, entry)],
    bundle: true,
    format,
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

runtimeTest('workerd', binaries.workerd, INSTALL_HINT.workerd, async (workerd) => {
  // workerd.capnp embeds worker.js from its own folder: both go to a temporary one.
  const dir = await mkdtemp(join(tmpdir(), 'occ-smoke-workerd-'));
  await writeFile(join(dir, 'worker.js'), await bundle('worker.mjs', 'esm'));
  await copyFile(join(here, 'workerd.capnp'), join(dir, 'workerd.capnp'));
  // The socket listens on port 0; workerd reports the port it got on the control fd (3).
  const child = spawn(workerd, ['serve', join(dir, 'workerd.capnp'), '--control-fd=3'], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let control = '';
      const timer = setTimeout(() => reject(new Error(`workerd did not listen within ${RUN_TIMEOUT_MS} ms: ${output}`)), RUN_TIMEOUT_MS);
      child.stdio[3]!.on('data', (chunk) => {
        control += chunk;
        const listen = control
          .split('\n')
          .map((line) => (line.startsWith('{') ? JSON.parse(line) : null))
          .find((event) => event?.event === 'listen');
        if (listen) {
          clearTimeout(timer);
          resolve(listen.port);
        }
      });
      child.on('exit', (code) => reject(new Error(`workerd exited with ${code}: ${output}`)));
    });
    const response = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      body: JSON.stringify({ baseUrl: server.baseUrl, token }),
      signal: AbortSignal.timeout(RUN_TIMEOUT_MS),
    });
    const line = (await response.text()).trim();
    expect(line, output).toMatch(OK);
    expect(line).toContain('(workerd,');
    expect(response.status).toBe(200);
  } finally {
    const exited = new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    child.kill();
    await exited;
    await rm(dir, { recursive: true, force: true });
  }
});

let browser: Browser | undefined;
afterAll(() => browser?.close());

for (const auth of ['bearer', 'cookie'] as const) {
  const transport = auth === 'bearer' ? 'fetch SSE + bearer' : 'EventSource + cookie';
  runtimeTest(`Chromium (${transport})`, withChromium ? CHROMIUM : null, 'apt-get install chromium', async () => {
    browser ??= await launchChromium();
    // A fresh context per run, so that the cookie session of one run never reaches the other.
    const page = await (await browser.newContext()).newPage();
    // The page and its script are served from the server's own origin (same-origin cookies and
    // EventSource); every other request of the page reaches the real server.
    const script = await bundle('page.mjs', 'iife');
    await page.route(`${server.baseUrl}/smoke.html`, (route) =>
      route.fulfill({ contentType: 'text/html', body: '<!doctype html><script src="/smoke.js"></script>' }),
    );
    await page.route(`${server.baseUrl}/smoke.js`, (route) => route.fulfill({ contentType: 'text/javascript', body: script }));
    const streams: string[] = [];
    page.on('request', (request) => {
      if (/\/api\/sessions\/[^/]+\/events/.test(request.url())) streams.push(request.resourceType());
    });
    await page.goto(`${server.baseUrl}/smoke.html`);

    const runtime = `Chromium ${browser.version()}`;
    const line = await page.evaluate((options) => (globalThis as unknown as { smoke(options: object): Promise<string> }).smoke(options), {
      baseUrl: server.baseUrl,
      token,
      runtime,
      auth,
    });
    expect(line).toMatch(auth === 'bearer' ? OK : OK_COOKIE);
    expect(line).toContain(`(${runtime},`);
    // The subscriptions really took the path under test.
    expect(new Set(streams)).toEqual(new Set([auth === 'bearer' ? 'fetch' : 'eventsource']));
    await page.context().close();
  });
}
