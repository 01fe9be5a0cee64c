import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';

const program = fileURLToPath(new URL('../desktop-bearer.mjs', import.meta.url));
const clientBuild = fileURLToPath(new URL('../../../packages/cloud-client/dist/index.js', import.meta.url));

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const run = (env: Record<string, string>, text: string) =>
  promisify(execFile)(process.execPath, [program, text], { env: { ...process.env, ...env }, timeout: 30_000 });

it('creates a session, prompts it and prints the streamed events until idle', async () => {
  // The program runs as users run it: plain node against the built client.
  expect(existsSync(clientBuild), 'run `npm run build` first').toBe(true);
  const token = await server.mintToken(['desktop']);
  const { stdout } = await run({ OPEN_COWORK_CLOUD_URL: server.baseUrl, OPEN_COWORK_CLOUD_TOKEN: token }, 'Hello [stream:5]');
  const lines = stdout.trim().split('\n');
  expect(lines[0]).toMatch(new RegExp(`^session ses_\\w+ on ${server.baseUrl}$`));
  expect(lines).toContain('#2 prompt.submitted "Hello [stream:5]"');
  expect(lines.filter((line) => / assistant\.message "part \d "$/.test(line))).toHaveLength(5);
  expect(lines.at(-1)).toMatch(/^#\d+ session\.idle$/);
});

it('exits 1 with the error kind when the token is refused', async () => {
  const failed = await run({ OPEN_COWORK_CLOUD_URL: server.baseUrl, OPEN_COWORK_CLOUD_TOKEN: 'occ_tok_wrong' }, 'hi').catch(
    (error: { code: number; stderr: string }) => error,
  );
  expect(failed).toMatchObject({ code: 1, stderr: expect.stringContaining('kind unauthorized') });
});
