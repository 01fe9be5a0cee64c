import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

// Vitest strips types without checking them, so the type-level checks of `contract.test.ts` (and a
// wrong type in any test) would go unnoticed: `tsconfig.json` (noEmit) checks the sources and the
// tests together, in strict mode.
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

it('the sources and the tests typecheck (tsc -p tsconfig.json)', async () => {
  const result = await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: packageDir }).then(
    () => '',
    (error: { stdout?: string }) => error.stdout ?? String(error),
  );
  expect(result).toBe('');
}, 120_000);
