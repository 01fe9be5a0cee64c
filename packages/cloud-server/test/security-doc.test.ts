import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isChannelPlane } from '../src/auth/principal.js';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';

const DOC = new URL('../../../docs/security.md', import.meta.url);
const START = '<!-- access-table:start -->';
const END = '<!-- access-table:end -->';

/** Which token scopes pass a route, by its rule (`src/auth/authenticate.ts`, `authorize`). */
function scopesPassing(access: string, path: string): string {
  if (access === 'public') return 'no credential needed';
  if (access === 'operator') return '`operator`, operator token';
  if (access === 'admin') return '`admin` (owner/admin user)';
  // `{…}` path parameters are not `/`, so the channel-plane prefix test works on OpenAPI paths too.
  return isChannelPlane(path) ? '`desktop`, `admin`, `gateway`' : '`desktop`, `admin`';
}

/** The access table of every operation of the OpenAPI document, in path order. */
function accessTable(document: { paths: Record<string, Record<string, { 'x-access'?: string }>> }): string {
  const rows = Object.entries(document.paths)
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([, operation]) => operation['x-access'])
        .map(([method, operation]) => {
          const access = operation['x-access']!;
          return `| \`${method.toUpperCase()} ${path}\` | \`${access}\` | ${scopesPassing(access, path)} |`;
        }),
    );
  return ['| Route | Rule | Token scopes that pass |', '|---|---|---|', ...rows].join('\n');
}

describe('docs/security.md', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  }, 120_000);
  afterAll(() => server?.close());

  it('shows the access rule of every route, as the OpenAPI document states it', async () => {
    const document = await (await fetch(`${server.baseUrl}/api/openapi.json`)).json();
    const table = accessTable(document);
    const doc = await readFile(DOC, 'utf8');
    const current = doc.slice(doc.indexOf(START) + START.length, doc.indexOf(END)).trim();
    if (process.env.UPDATE_SECURITY_DOC && current !== table) {
      await writeFile(DOC, `${doc.slice(0, doc.indexOf(START) + START.length)}\n${table}\n${doc.slice(doc.indexOf(END))}`);
      return;
    }
    expect(current, 'run with UPDATE_SECURITY_DOC=1 to regenerate the table').toBe(table);
  });
});
