import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** `entry` bundled for the browser with esbuild, minified. */
const bundle = (entry: string) =>
  build({
    stdin: { contents: entry, resolveDir: packageDir, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
  });

/** Bytes of `entry` bundled for the browser with esbuild, minified, then gzip -9. */
async function gzippedBundle(entry: string): Promise<number> {
  const result = await bundle(entry);
  return gzipSync(result.outputFiles[0]!.contents, { level: 9 }).length;
}

// Budgets that stop the bundle from growing. The targets are 9 KiB for the whole adapter and 4 KiB
// for one domain with its context; they are not met yet (measured 13.9 KiB and 5.4 KiB, see the
// README), so the budgets sit just above what is measured today.
const KIB = 1024;

it('the whole adapter, bundled for the browser (minified, gzip), stays within 14.5 KiB', async () => {
  const size = await gzippedBundle("export * from './src/index.ts';");
  console.log(`adapter: ${(size / KIB).toFixed(2)} KiB gzip`);
  expect(size).toBeLessThanOrEqual(14.5 * KIB);
}, 60_000);

it('one domain with its context (config) stays within 5.75 KiB', async () => {
  const size = await gzippedBundle(
    "export { createCloudClientContext } from './src/adapter.ts'; export { createCloudConfigClient } from './src/domains/config.ts';",
  );
  console.log(`config domain + context: ${(size / KIB).toFixed(2)} KiB gzip`);
  expect(size).toBeLessThanOrEqual(5.75 * KIB);
}, 60_000);

// The contract's schemas (TypeBox) live in `@open-cowork/shared/schemas`; the client imports the
// types derived from them and small lists of the main entry, never the schema library.
it('the whole adapter, bundled for the browser, contains no TypeBox code', async () => {
  const { metafile } = await bundle("export * from './src/index.ts';");
  const inputs = Object.keys(metafile.inputs);
  expect(inputs.some((input) => input.includes('shared/src/') || input.includes('shared/dist/'))).toBe(true);
  expect(inputs.filter((input) => input.includes('typebox') || input.includes('/schemas/'))).toEqual([]);
}, 60_000);
