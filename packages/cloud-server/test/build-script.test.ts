import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';

// `scripts/build.mjs` is what `npm start` runs before the server: on an unchanged tree it must
// touch nothing, so that a restart goes straight to the server.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const DISTS = ['packages/shared/dist', 'packages/cloud-client/dist', 'packages/cloud-server/dist', 'apps/cloud-web/dist'];

function build(): string {
  const { status, stdout, stderr } = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, encoding: 'utf8' });
  expect(status, stderr).toBe(0);
  return stdout;
}

/** Every file of every build output with its modification time and size. */
function outputs(): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        const stat = statSync(join(root, path));
        files[path] = `${stat.mtimeMs} ${stat.size}`;
      }
    }
  };
  for (const dist of DISTS) walk(dist);
  return files;
}

// Brings the tree up to date (`npm test` has built it already: then this too does nothing).
beforeAll(() => void build(), 600_000);

it('a start with nothing changed rebuilds nothing: no output is written and no build tool runs', () => {
  const before = outputs();
  expect(build()).toBe('');
  expect(outputs()).toEqual(before);
});

it('a build removes the outputs of a source that is gone, and only those', () => {
  const stale = ['packages/cloud-server/dist/deleted-source.js', 'packages/cloud-server/dist/deleted-source.d.ts'];
  for (const path of stale) writeFileSync(join(root, path), '');
  // As if a source had changed: the stamp of the last build is older than the sources.
  rmSync(join(root, 'packages/cloud-server/dist/.built'));
  const before = outputs();
  build();
  for (const path of stale) expect(existsSync(join(root, path))).toBe(false);
  const after = outputs();
  for (const path of [...stale, 'packages/cloud-server/dist/.built']) delete before[path];
  delete after['packages/cloud-server/dist/.built'];
  expect(after).toEqual(before);
});
