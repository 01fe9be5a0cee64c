import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// A package's `test/` folder is its own: another package that imports from it depends on files
// nobody maintains as an interface. What tests share lives in `@open-cowork/test-support`.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const PROJECTS = ['packages', 'apps', 'examples'];
const SOURCE = /\.(ts|mts|js|mjs)$/;
const SKIPPED = new Set(['node_modules', 'dist']);
/** `from '…'`, `import '…'`, `import('…')`, `require('…')` and `new URL('…', import.meta.url)`. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*|\bnew URL\(\s*)['"]([^'"]+)['"]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIPPED.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return SOURCE.test(entry.name) ? [path] : [];
  });
}

/** `packages/cloud-server/test/helpers/x.ts` → `packages/cloud-server`, and whether it is in `test/`. */
function place(path: string): { project: string; inTest: boolean } {
  const [area, name, folder] = relative(root, path).split(/[\\/]/);
  return { project: `${area}/${name}`, inTest: folder === 'test' };
}

function importsOfOtherTestFolders(file: string): string[] {
  const from = place(file).project;
  return [...readFileSync(file, 'utf8').matchAll(SPECIFIER)]
    .map((match) => match[1]!)
    .filter((specifier) => {
      if (/^@open-cowork\/[^/]+\/test(\/|$)/.test(specifier)) return true;
      if (!specifier.startsWith('.')) return false;
      const target = place(resolve(dirname(file), specifier));
      return target.inTest && target.project !== from;
    })
    .map((specifier) => `${relative(root, file)}: ${specifier}`);
}

it("no package imports another package's test folder", () => {
  const files = PROJECTS.flatMap((area) => sourceFiles(join(root, area)));
  expect(files.length).toBeGreaterThan(100);
  expect(files.flatMap(importsOfOtherTestFolders)).toEqual([]);
});
