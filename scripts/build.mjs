#!/usr/bin/env node
/**
 * Builds what changed since the last build, so that `npm start` on an unchanged tree starts at once:
 * the TypeScript packages through `tsc -b` (each keeps its build info in its `dist`, and the
 * project references rebuild a package when a package it depends on changed), then Cloud Web
 * through Vite only when a file it bundles is newer than its `dist`. `npm run clean` forgets it all.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const at = (path) => join(root, path);

function run(command, args) {
  const { status } = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
}

/** The newest modification time under `path` (a file or a folder), 0 when it does not exist. */
function newest(path, include = () => true) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return include(path) ? stat.mtimeMs : 0;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name), include)));
}

run(process.execPath, [
  at('node_modules/typescript/bin/tsc'),
  '-b',
  'packages/cloud-client/tsconfig.build.json',
  'packages/cloud-server/tsconfig.build.json',
]);
// The server reads its migrations next to its compiled store module.
cpSync(at('packages/cloud-server/src/store/migrations'), at('packages/cloud-server/dist/store/migrations'), { recursive: true });

const webInputs = [
  'apps/cloud-web/src',
  'apps/cloud-web/index.html',
  'apps/cloud-web/package.json',
  'apps/cloud-web/tsconfig.json',
  'packages/cloud-client/dist',
  'packages/shared/dist',
];
const isBundled = (path) => !path.endsWith('.tsbuildinfo') && !path.endsWith('.map');
if (Math.max(...webInputs.map((input) => newest(at(input), isBundled))) >= newest(at('apps/cloud-web/dist/index.html'))) {
  run('npm', ['run', 'build', '--silent', '-w', '@open-cowork/cloud-web']);
}
