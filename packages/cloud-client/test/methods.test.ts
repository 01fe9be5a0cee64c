import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOMAIN_CLIENTS, methodsOf } from '@open-cowork/test-support/domain-clients';
import { createHttpSseCloudTransportAdapter } from '../src/adapter.js';
import { createFakeFetch } from './helpers/fake-fetch.js';

/** `### <domain>` → the method names of its `` - `name(`…`` lines, from the README's `## Methods` section. */
function documentedMethods(): Map<string, string[]> {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.split('\n## Methods\n')[1]?.split('\n## ')[0] ?? '';
  const byDomain = new Map<string, string[]>();
  for (const part of section.split('\n### ').slice(1)) {
    const [heading = '', ...lines] = part.split('\n');
    byDomain.set(
      heading.trim(),
      lines.flatMap((line) => /^- `(\w+)\(/.exec(line)?.slice(1) ?? []),
    );
  }
  return byDomain;
}

describe('the methods of the adapter', () => {
  it('are all named in the README Methods section', () => {
    const adapter = createHttpSseCloudTransportAdapter({ baseUrl: '', fetch: createFakeFetch() });
    const documented = new Set([...documentedMethods().values()].flat());
    expect(Object.keys(adapter).filter((method) => !documented.has(method))).toEqual([]);
  });

  it('are documented under their own domain, each once, and nothing else is', () => {
    const documented = documentedMethods();
    expect([...documented.keys()].sort()).toEqual(Object.keys(DOMAIN_CLIENTS).sort());
    for (const domain of Object.keys(DOMAIN_CLIENTS)) {
      expect(documented.get(domain), domain).toEqual(methodsOf(domain));
    }
  });

  it('never share a name across domains: the adapter spreads them into one object, so one would override another', () => {
    const owners = new Map<string, string[]>();
    for (const domain of Object.keys(DOMAIN_CLIENTS)) {
      for (const method of methodsOf(domain)) owners.set(method, [...(owners.get(method) ?? []), domain]);
    }
    expect([...owners].filter(([, domains]) => domains.length > 1)).toEqual([]);
    const adapter = createHttpSseCloudTransportAdapter({ baseUrl: '', fetch: createFakeFetch() });
    expect(Object.keys(adapter).sort()).toEqual([...owners.keys()].sort());
  });
});
