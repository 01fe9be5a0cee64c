import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
// Inside the repository, so `@open-cowork/*` resolve through the workspace as they do for a reader.
const workDir = join(repoRoot, 'node_modules', '.cache', 'readme-snippets');

/** The root README and every package and app README. */
function readmes(): string[] {
  const inFolders = ['packages', 'apps'].flatMap((folder) =>
    readdirSync(join(repoRoot, folder)).map((name) => join(repoRoot, folder, name, 'README.md')),
  );
  return [join(repoRoot, 'README.md'), ...inFolders].filter((file) => existsSync(file));
}

/** Each ```ts block of `file`, with the README line it starts on. */
function snippets(file: string): { line: number; code: string }[] {
  const found: { line: number; code: string }[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```ts') continue;
    const start = i + 1;
    while (++i < lines.length && lines[i]!.trim() !== '```');
    found.push({ line: start + 1, code: lines.slice(start, i).join('\n') });
  }
  return found;
}

// Each block is its own ES module, compiled against the built packages with strict settings: a
// block that uses a name must say where it comes from (an import, or a `declare` for the reader's
// own values).
it('every ```ts block of the READMEs type-checks under strict settings', () => {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const origins = new Map<string, string>();
  for (const readme of readmes()) {
    for (const { line, code } of snippets(readme)) {
      const file = join(workDir, `${relative(repoRoot, readme).replace(/[/.]/g, '_')}_${line}.ts`);
      writeFileSync(file, `${code}\nexport {};\n`);
      origins.set(file, `${relative(repoRoot, readme)}:${line}`);
    }
  }
  expect(origins.size).toBeGreaterThan(5);
  const program = ts.createProgram([...origins.keys()], {
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noUncheckedIndexedAccess: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  });
  const problems = ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const where = diagnostic.file
      ? `${origins.get(diagnostic.file.fileName) ?? diagnostic.file.fileName} (snippet line ${diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1})`
      : '';
    return `${where}: TS${diagnostic.code} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
  });
  expect(problems).toEqual([]);
}, 120_000);
