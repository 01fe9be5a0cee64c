import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The layering of src/routes/README.md, src/services/README.md and src/store/README.md, checked
// on the source text so that a shortcut fails here rather than in a review.

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** `routes/threads.ts` → its text, for every TypeScript file under `src/<folder>`. */
function sources(folder: string): Map<string, string> {
  const files = readdirSync(join(SRC, folder), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
  return new Map(files.map((file) => [relative(SRC, join(SRC, folder, file)), readFileSync(join(SRC, folder, file), 'utf8')]));
}

/** The imports of a file that bring values (not `import type`), as `[specifier, imported names]`. */
function valueImports(text: string): { from: string; names: string }[] {
  return [...text.matchAll(/^import (?!type )([\s\S]*?) from '([^']+)';/gm)].map(([, names, from]) => ({ from: from!, names: names! }));
}

/** The files whose text matches `pattern`, with the first match, for a readable failure. */
function offenders(files: Map<string, string>, pattern: RegExp): Record<string, string> {
  return Object.fromEntries(
    [...files].flatMap(
      ([file, text]) =>
        text
          .match(pattern)
          ?.slice(0, 1)
          .map((hit) => [file, hit]) ?? [],
    ),
  );
}

const all = sources('.');
const routes = sources('routes');
const services = sources('services');
const stores = sources('store');

describe('the layers of the server', () => {
  it('creates every store in store/stores.ts only: the rest of the server takes them from app.stores', () => {
    const outsideStore = new Map([...all].filter(([file]) => !file.startsWith('store/')));
    expect(offenders(outsideStore, /\bcreate\w+Store\(/)).toEqual({});
  });

  it('keeps routes off the database: no app.db, no app.stores, no transaction, no store module but its types', () => {
    expect(offenders(routes, /\bapp\.(db|stores)\b|\.transaction\(/)).toEqual({});
    const storeImports = [...routes].flatMap(([file, text]) =>
      valueImports(text)
        .filter(({ from }) => from.includes('/store/'))
        .map(({ from, names }) => `${file}: ${names} from ${from}`),
    );
    expect(storeImports).toEqual([]);
  });

  it('never imports one route file from another: what two domains share is a service', () => {
    // A domain that outgrew one file (`routes/channels.ts`) registers the parts in its folder.
    const ownParts = (file: string, target: string) => target.startsWith(`${file.replace(/\.ts$/, '')}/`);
    const crossImports = [...routes].flatMap(([file, text]) =>
      valueImports(text)
        .filter(({ from }) => from.startsWith('.'))
        .map(({ from }) => relative(SRC, join(SRC, file, '..', from)).replace(/\.js$/, '.ts'))
        .filter((target) => target.startsWith('routes/') && !ownParts(file, target))
        .map((target) => `${file} imports ${target}`),
    );
    expect(crossImports).toEqual([]);
  });

  it('keeps Fastify requests and replies in the routes: services and stores take plain values', () => {
    expect(offenders(new Map([...services, ...stores]), /\bFastify(Request|Reply)\b/)).toEqual({});
    // Fastify appears below the routes only where a plugin registers decorators.
    const storeModules = new Map([...stores].filter(([file]) => file !== 'store/plugin.ts'));
    expect(offenders(storeModules, /from 'fastify'/)).toEqual({});
  });
});
