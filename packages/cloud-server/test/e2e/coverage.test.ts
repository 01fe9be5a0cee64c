import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHttpSseCloudTransportAdapter, type CloudFetch } from '@open-cowork/cloud-client';
import { describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));
const repository = join(here, '../../../..');

/** The end-to-end test files: this directory's, and each example's tests. */
function endToEndFiles(): string[] {
  const own = readdirSync(here)
    .filter((name) => name.endsWith('.test.ts'))
    .map((name) => join(here, name));
  const examplesDir = join(repository, 'examples');
  const examples = readdirSync(examplesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      const testDir = join(examplesDir, entry.name, 'test');
      try {
        return readdirSync(testDir)
          .filter((name) => name.endsWith('.test.ts'))
          .map((name) => join(testDir, name));
      } catch {
        return [];
      }
    });
  return [...own, ...examples];
}

/** `// …` and `/* … *\/` comments out, so a method named only in a comment does not count. */
const withoutComments = (source: string) => source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

describe('end-to-end coverage of the client', () => {
  // The real adapter: its keys are the CloudTransportAdapter's methods.
  const adapter = createHttpSseCloudTransportAdapter({ baseUrl: '', fetch: (async () => new Response('{}')) as unknown as CloudFetch });
  const methods = Object.keys(adapter).filter((key) => typeof (adapter as unknown as Record<string, unknown>)[key] === 'function');
  const files = endToEndFiles();
  const sources = files.map((file) => withoutComments(readFileSync(file, 'utf8'))).join('\n');

  it('finds the adapter methods and the end-to-end files', () => {
    expect(methods.length).toBeGreaterThan(100);
    expect(files.some((file) => file.includes(`${join('examples', 'gateway-service-token')}`))).toBe(true);
    // This file is among them but names no method call itself.
    expect(files).toContain(join(here, 'coverage.test.ts'));
  });

  it('calls every adapter method as `.methodName(` in some end-to-end test', () => {
    const missing = methods.filter((method) => !new RegExp(`\\.${method}\\(`).test(sources));
    expect(missing, `adapter methods without an end-to-end case: ${missing.join(', ')}`).toEqual([]);
  });
});
