import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const changelog = readFileSync(new URL('../CHANGELOG.md', import.meta.url), 'utf8');

it('stays a private source package: no publishConfig', () => {
  expect(manifest.private).toBe(true);
  expect(manifest).not.toHaveProperty('publishConfig');
});

it("calls out this release's typed breaks in the changelog", () => {
  const breaks = changelog.slice(changelog.indexOf('### Typed breaks'), changelog.indexOf('### Behaviour'));
  for (const name of ["'abort'", 'CLOUD_TRANSPORT_ERROR_KINDS', 'CloudSessionStreamEvent', 'baseUrl', 'CloudFetchInit.signal', 'message']) {
    expect(breaks).toContain(name);
  }
});
