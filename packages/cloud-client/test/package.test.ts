import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// Packaging checks run on the built dist (`npm test` builds first).
const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = join(packageDir, '..', '..');
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
  exports: Record<string, unknown>;
  dependencies: Record<string, string>;
  sideEffects: boolean;
};

const DOMAINS = [
  'artifacts',
  'billing',
  'byok',
  'capabilities',
  'channels',
  'config',
  'identity',
  'sessions',
  'settings',
  'threads',
  'transport',
  'workflows',
];
const ENTRY_POINTS = ['.', './adapter', ...DOMAINS.map((domain) => `./domains/${domain}`)];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.(ts|js)$/.test(name) ? [path] : [];
  });
}

function importSpecifiers(source: string): string[] {
  const pattern = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;
  return [...source.matchAll(pattern)].map((match) => match[1] ?? match[2] ?? match[3]!);
}

async function nodeImport(specifier: string): Promise<{ ok: boolean; output: string }> {
  const script = `import(${JSON.stringify(specifier)}).then((m) => console.log(Object.keys(m).sort().join(',')))`;
  try {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot });
    return { ok: true, output: stdout.trim() };
  } catch (error) {
    return { ok: false, output: String((error as { stderr?: string }).stderr ?? error) };
  }
}

describe('the package surface', () => {
  it('exports exactly the documented entry points, each with types then import', () => {
    expect(Object.keys(manifest.exports).sort()).toEqual([...ENTRY_POINTS, './package.json'].sort());
    for (const entry of ENTRY_POINTS) {
      expect(Object.keys(manifest.exports[entry] as object)).toEqual(['types', 'import']);
    }
    expect(manifest.sideEffects).toBe(false);
  });

  it('lists in its README exactly the entry points of package.json', () => {
    const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
    const section = readme.split('## Entry points')[1]?.split('\n## ')[0] ?? '';
    const listed = [...section.matchAll(/`(@open-cowork\/cloud-client[^`]*)`/g)].map((m) =>
      m[1]!.replace('@open-cowork/cloud-client', '.').replace(/^\.\//, './'),
    );
    expect([...new Set(listed)].sort()).toEqual(ENTRY_POINTS.sort());
  });

  it('depends at runtime on @open-cowork/shared only', () => {
    expect(Object.keys(manifest.dependencies)).toEqual(['@open-cowork/shared']);
  });

  it('imports nothing but its own files, @open-cowork/shared and the platform', () => {
    const forbidden: string[] = [];
    for (const file of [...sourceFiles(join(packageDir, 'src')), ...sourceFiles(join(packageDir, 'dist'))]) {
      for (const specifier of importSpecifiers(readFileSync(file, 'utf8'))) {
        if (!specifier.startsWith('.') && specifier !== '@open-cowork/shared') forbidden.push(`${file}: ${specifier}`);
      }
    }
    expect(forbidden).toEqual([]);
  });

  it('never mentions Electron, Desktop modules, stores, Postgres or the OpenCode SDK in its imports', () => {
    const all = sourceFiles(join(packageDir, 'src')).flatMap((file) => importSpecifiers(readFileSync(file, 'utf8')));
    for (const banned of [/electron/i, /desktop/i, /control-plane/i, /(^|\/)pg($|\/)|postgres|pglite/i, /@opencode-ai\/sdk/]) {
      expect(all.filter((specifier) => banned.test(specifier))).toEqual([]);
    }
  });

  it('every entry point loads in plain Node from dist', async () => {
    for (const entry of ENTRY_POINTS) {
      const specifier = entry === '.' ? '@open-cowork/cloud-client' : `@open-cowork/cloud-client/${entry.slice(2)}`;
      const result = await nodeImport(specifier);
      expect(result, specifier).toMatchObject({ ok: true });
      expect(result.output.length, specifier).toBeGreaterThan(0);
    }
  });

  it('refuses deep imports into dist', async () => {
    for (const specifier of [
      '@open-cowork/cloud-client/dist/index.js',
      '@open-cowork/cloud-client/core/errors',
      '@open-cowork/cloud-client/dist/core/errors.js',
    ]) {
      const result = await nodeImport(specifier);
      expect(result.ok, specifier).toBe(false);
      expect(result.output).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
    }
  });

  it('passes publint', async () => {
    const { stdout } = await run('npx', ['--no-install', 'publint', '--strict'], { cwd: packageDir });
    expect(stdout).toMatch(/All good|No issues/i);
  }, 60_000);

  it('passes @arethetypeswrong/cli for ESM consumers', async () => {
    // attw exits non-zero on any problem outside the ignored CommonJS resolutions of an ESM-only package.
    const { stdout } = await run('npx', ['--no-install', 'attw', '--pack', '.', '--profile', 'esm-only'], { cwd: packageDir });
    expect(stdout).toContain('node16 (from ESM): 🟢 (ESM)');
    expect(stdout).not.toMatch(/node16 \(from ESM\): (?!🟢)|bundler: (?!🟢)/);
  }, 120_000);
});
