#!/usr/bin/env node
/**
 * Builds what changed since the last build, so that `npm start` on an unchanged tree starts at once.
 *
 * - The TypeScript packages: when no input is newer than the stamp of the last successful build,
 *   nothing runs (a few hundred `stat` calls; loading TypeScript alone would cost more). Otherwise
 *   `tsc -b` rebuilds the packages whose sources changed (each keeps its build info in its `dist`,
 *   and the project references rebuild a package when one it depends on changed), and outputs
 *   whose source is gone are deleted.
 * - Cloud Web, through Vite, only when a file it bundles is newer than its `dist`.
 *
 * A deleted or renamed source counts as a change: its folder's modification time moves.
 * `npm run clean` forgets it all.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const at = (path) => join(root, path);

function run(command, args) {
  const { status } = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
}

/** The newest modification time under `path` (a file or a folder, the folder itself included), 0 when it does not exist. */
function newest(path, include = () => true) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return include(path) ? stat.mtimeMs : 0;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name), include)));
}

/** The output extensions tsc writes for one `.ts` source. */
const OUTPUT = /(\.d\.ts\.map|\.d\.ts|\.js\.map|\.js)$/;

/**
 * Deletes what `dist` holds for a source `src` no longer has: `x.js`, `x.d.ts` and their maps
 * without `x.ts`, copied files (migrations) without their original. Folders left empty go too.
 */
function removeStaleOutputs(src, dist) {
  if (!existsSync(dist)) return;
  for (const entry of readdirSync(dist, { withFileTypes: true })) {
    const output = join(dist, entry.name);
    if (entry.isDirectory()) {
      removeStaleOutputs(join(src, entry.name), output);
      if (readdirSync(output).length === 0) rmdirSync(output);
      continue;
    }
    if (entry.name.endsWith('.tsbuildinfo') || entry.name === STAMP_NAME) continue;
    const source = OUTPUT.test(entry.name) ? join(src, entry.name.replace(OUTPUT, '.ts')) : join(src, entry.name);
    if (!existsSync(source)) {
      rmSync(output);
      console.log(`removed ${relative(root, output)} (its source is gone)`);
    }
  }
}

const PACKAGES = ['packages/shared', 'packages/cloud-client', 'packages/cloud-server'];
const STAMP_NAME = '.built';
/** Written after each successful TypeScript build; `npm run clean` (or a package's own build) removes it. */
const STAMP = at(`packages/cloud-server/dist/${STAMP_NAME}`);
const tscInputs = [
  ...PACKAGES.flatMap((pkg) => [`${pkg}/src`, `${pkg}/package.json`, `${pkg}/tsconfig.build.json`]),
  'tsconfig.base.json',
  // Rewritten by npm whenever the installed packages (and so their types) change.
  'node_modules/.package-lock.json',
];
const outputsExist = PACKAGES.every((pkg) => existsSync(at(`${pkg}/dist/tsconfig.build.tsbuildinfo`)));
if (!outputsExist || Math.max(...tscInputs.map((input) => newest(at(input)))) >= newest(STAMP)) {
  run(process.execPath, [
    at('node_modules/typescript/bin/tsc'),
    '-b',
    'packages/cloud-client/tsconfig.build.json',
    'packages/cloud-server/tsconfig.build.json',
  ]);
  // The server reads its migrations next to its compiled store module. Copies keep their times, so
  // that an unchanged migration reads as unchanged.
  cpSync(at('packages/cloud-server/src/store/migrations'), at('packages/cloud-server/dist/store/migrations'), {
    recursive: true,
    preserveTimestamps: true,
  });
  for (const pkg of PACKAGES) removeStaleOutputs(at(`${pkg}/src`), at(`${pkg}/dist`));
  writeFileSync(STAMP, '');
}

const webInputs = [
  'apps/cloud-web/src',
  'apps/cloud-web/index.html',
  'apps/cloud-web/package.json',
  'apps/cloud-web/tsconfig.json',
  'packages/cloud-client/dist',
  'packages/shared/dist',
];
const isBundled = (path) => !path.endsWith('.tsbuildinfo') && !path.endsWith('.map') && !path.endsWith(STAMP_NAME);
if (Math.max(...webInputs.map((input) => newest(at(input), isBundled))) >= newest(at('apps/cloud-web/dist/index.html'))) {
  run('npm', ['run', 'build', '--silent', '-w', '@open-cowork/cloud-web']);
}
