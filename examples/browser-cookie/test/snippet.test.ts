import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';

const exampleDir = fileURLToPath(new URL('..', import.meta.url));
// Inside the repository (git-ignored), so that `@open-cowork/cloud-client` resolves as for a page.
const workDir = `${exampleDir}test-artifacts/`;
const tsc = fileURLToPath(new URL('../../../node_modules/typescript/bin/tsc', import.meta.url));
const clientTypes = fileURLToPath(new URL('../../../packages/cloud-client/dist/index.d.ts', import.meta.url));

afterAll(() => rm(workDir, { recursive: true, force: true }));

it('the README snippet type-checks against the client, with nothing undefined', async () => {
  expect(existsSync(clientTypes), 'run `npm run build` first').toBe(true);
  const readme = await readFile(`${exampleDir}README.md`, 'utf8');
  const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
  expect(snippets).toHaveLength(1);
  await mkdir(workDir, { recursive: true });
  await writeFile(`${workDir}snippet.ts`, snippets[0]!);
  const args = [
    '--noEmit',
    '--strict',
    '--skipLibCheck',
    '--target',
    'es2022',
    '--module',
    'nodenext',
    '--moduleResolution',
    'nodenext',
    '--lib',
    'es2022,dom',
    `${workDir}snippet.ts`,
  ];
  const result = await promisify(execFile)(process.execPath, [tsc, ...args]).then(
    () => '',
    (error: { stdout?: string }) => error.stdout ?? String(error),
  );
  expect(result).toBe('');
}, 60_000);
