import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const probe = fileURLToPath(new URL('./failed-subscriptions.mjs', import.meta.url));
const entry = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

// Node's fetch keeps the signal it was given alive after the stream ends; a listener left on it used
// to keep each failed subscription's reader, response and socket (about 25 KB) for good. Measured in
// a child process with --expose-gc, on the built package, against a real local server; the handles
// are kept, as a caller holding its subscriptions does.
it('a fetch-based subscription that failed after its response started leaves almost nothing on the heap', async () => {
  expect(existsSync(entry), 'build the client first: npm run build -w @open-cowork/cloud-client').toBe(true);
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', probe, entry, '400'], { timeout: 120_000 });
  const { bytesPerSubscription, kinds } = JSON.parse(stdout) as { bytesPerSubscription: number; kinds: string[] };
  expect(kinds).toEqual(['network']);
  expect(bytesPerSubscription).toBeLessThan(8 * 1024);
}, 150_000);
