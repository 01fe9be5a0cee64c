import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The supported way to use the package outside this workspace: `npm pack` of @open-cowork/shared and
// of the client, both tarballs installed into a project of its own. Runs on the built dist
// (`npm test` builds first) and needs no registry: the two tarballs, and one of shared's dependency
// (TypeBox, for the types of its schemas) packed from the workspace's node_modules, are all it installs.
const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = join(packageDir, '..', '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
const specifiers = Object.keys(manifest.exports)
  .filter((entry) => entry !== './package.json')
  .map((entry) => (entry === '.' ? '@open-cowork/cloud-client' : `@open-cowork/cloud-client/${entry.slice(2)}`));

let project: string;
const installed = (name: string) => join(project, 'node_modules', '@open-cowork', name);

/** Packs both packages as the README says, and TypeBox as installed; resolves to the tarballs' paths. */
async function packBoth(destination: string): Promise<string[]> {
  const sources = ['-w', '@open-cowork/shared', '-w', '@open-cowork/cloud-client'];
  const pack = async (args: string[]) => {
    const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', ...args, '--pack-destination', destination], {
      cwd: repoRoot,
    });
    return (JSON.parse(stdout) as { filename: string }[]).map(({ filename }) => join(destination, filename));
  };
  return [...(await pack(sources)), ...(await pack(['./node_modules/@sinclair/typebox']))];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'occ-client-consumer-'));
  const tarballs = join(project, 'tarballs');
  await mkdir(tarballs);
  const packed = await packBoth(tarballs);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // Offline: the client's dependency on @open-cowork/shared, and shared's on TypeBox, are met by the other tarballs.
  await run('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', ...packed], { cwd: project });
}, 180_000);
afterAll(() => (project ? rm(project, { recursive: true, force: true }) : undefined));

describe('the packed client installed in a project outside the workspace', () => {
  it('ships source maps whose sources are all in the package', () => {
    const missing: string[] = [];
    let maps = 0;
    for (const root of [installed('shared'), installed('cloud-client')]) {
      for (const map of filesUnder(root).filter((file) => file.endsWith('.map'))) {
        maps += 1;
        const { sources, sourceRoot = '' } = JSON.parse(readFileSync(map, 'utf8')) as { sources: string[]; sourceRoot?: string };
        for (const source of sources) {
          const path = resolve(dirname(map), sourceRoot, source);
          if (!path.startsWith(root) || !statSync(path, { throwIfNoEntry: false })?.isFile())
            missing.push(`${relative(project, map)} → ${source}`);
        }
      }
    }
    expect(maps).toBeGreaterThan(0);
    expect(missing).toEqual([]);
  });

  it('loads every entry point and @open-cowork/shared in plain Node', async () => {
    const script = `for (const specifier of ${JSON.stringify(['@open-cowork/shared', ...specifiers])}) {
      const exported = Object.keys(await import(specifier));
      if (exported.length === 0) throw new Error(specifier + ' exports nothing');
    }
    console.log('loaded');`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: project });
    expect(stdout.trim()).toBe('loaded');
  });

  it.each(['node16', 'bundler'] as const)(
    'type-checks a consumer with moduleResolution %s',
    async (moduleResolution) => {
      const dir = join(project, `consumer-${moduleResolution}`);
      await mkdir(dir, { recursive: true });
      const consumer = [
        ...specifiers.map((specifier, index) => `import * as entry${index} from '${specifier}';`),
        `import { createHttpSseCloudTransportAdapter, isCloudTransportError } from '@open-cowork/cloud-client';`,
        `import type { CloudSessionEventType } from '@open-cowork/shared';`,
        `export const entries = [${specifiers.map((_, index) => `entry${index}`).join(', ')}];`,
        `const cloud = createHttpSseCloudTransportAdapter({ baseUrl: 'http://127.0.0.1:8787' });`,
        `export const created: Promise<string> = cloud.createSession().then((view) => view.session.sessionId);`,
        `export const kind = (error: unknown) => (isCloudTransportError(error) ? error.kind : null);`,
        `export const idle: CloudSessionEventType = 'session.idle';`,
        // Proves the types are real: with an \`any\` surface this directive would be unused, an error.
        `// @ts-expect-error a prompt needs its text`,
        `cloud.promptSession('ses_1', {});`,
      ].join('\n');
      await writeFile(join(dir, 'consumer.ts'), `${consumer}\n`);
      const module = moduleResolution === 'node16' ? 'node16' : 'esnext';
      const compilerOptions = {
        module,
        moduleResolution,
        target: 'ES2022',
        lib: ['ES2022', 'DOM'],
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: [],
      };
      await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['consumer.ts'] }));
      const output = await run(process.execPath, [tsc, '-p', dir]).then(
        () => '',
        (error: { stdout?: string }) => error.stdout ?? String(error),
      );
      expect(output).toBe('');
    },
    120_000,
  );
});
