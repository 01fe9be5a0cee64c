import { readFile, writeFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { CLOUD_ERROR_CODES } from '../src/error-codes.js';

const DOC = new URL('../../../docs/errors.md', import.meta.url);
const START = '<!-- error-codes:start -->';
const END = '<!-- error-codes:end -->';

/** The table of every code of the catalog, sorted by code. */
function codeTable(): string {
  const rows = Object.entries(CLOUD_ERROR_CODES)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, { status, meaning }]) => `| \`${code}\` | ${status} | ${meaning} |`);
  return ['| Code | Status | Meaning |', '|---|---|---|', ...rows].join('\n');
}

it('docs/errors.md lists every code of the catalog with its status and meaning', async () => {
  const table = codeTable();
  const doc = await readFile(DOC, 'utf8');
  const current = doc.slice(doc.indexOf(START) + START.length, doc.indexOf(END)).trim();
  if (process.env.UPDATE_ERRORS_DOC && current !== table) {
    await writeFile(DOC, `${doc.slice(0, doc.indexOf(START) + START.length)}\n${table}\n${doc.slice(doc.indexOf(END))}`);
    return;
  }
  expect(current, 'run with UPDATE_ERRORS_DOC=1 to regenerate the table').toBe(table);
});

// The prefixes of the naming rule (see `src/error-codes.ts`): client domains, then concerns that
// span routes. `audit` only as `audit.cursor.invalid`, the `<listing>.cursor.invalid` form.
const PREFIXES = new Set([
  ...['sessions', 'artifacts', 'threads', 'workflows', 'channels', 'identity', 'byok', 'capabilities', 'settings', 'billing'],
  ...['request', 'route', 'auth', 'authorization', 'idempotency', 'rate_limit', 'quota', 'project_source'],
  ...['stream', 'server', 'store', 'storage', 'audit'],
]);

it('names every code <prefix>.<reason> in snake_case with a known prefix, and gives it a 4xx or 5xx', () => {
  for (const [code, { status }] of Object.entries(CLOUD_ERROR_CODES)) {
    if (code !== 'internal') {
      expect(code, code).toMatch(/^[a-z_]+\.([a-z_]+|cursor\.invalid)$/);
      expect(PREFIXES.has(code.split('.')[0]!), code).toBe(true);
    }
    expect(status >= 400 && status < 600, code).toBe(true);
  }
});
