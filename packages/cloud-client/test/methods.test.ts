import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createHttpSseCloudTransportAdapter } from '../src/adapter.js';
import type { CloudClientContext } from '../src/core/context.js';
import { createCloudArtifactsClient } from '../src/domains/artifacts.js';
import { createCloudBillingClient } from '../src/domains/billing.js';
import { createCloudByokClient } from '../src/domains/byok.js';
import { createCloudCapabilitiesClient } from '../src/domains/capabilities.js';
import { createCloudChannelsClient } from '../src/domains/channels.js';
import { createCloudConfigClient } from '../src/domains/config.js';
import { createCloudIdentityClient } from '../src/domains/identity.js';
import { createCloudSessionsClient } from '../src/domains/sessions.js';
import { createCloudSettingsClient } from '../src/domains/settings.js';
import { createCloudThreadsClient } from '../src/domains/threads.js';
import { createCloudTransportClient } from '../src/domains/transport.js';
import { createCloudWorkflowsClient } from '../src/domains/workflows.js';
import { createFakeFetch } from './helpers/fake-fetch.js';

const FACTORIES: Record<string, (ctx: CloudClientContext) => object> = {
  artifacts: createCloudArtifactsClient,
  billing: createCloudBillingClient,
  byok: createCloudByokClient,
  capabilities: createCloudCapabilitiesClient,
  channels: createCloudChannelsClient,
  config: createCloudConfigClient,
  identity: createCloudIdentityClient,
  sessions: createCloudSessionsClient,
  settings: createCloudSettingsClient,
  threads: createCloudThreadsClient,
  transport: createCloudTransportClient,
  workflows: createCloudWorkflowsClient,
};

/** Building a domain client does no I/O, so a context that is never called will do. */
const unusedContext = {} as CloudClientContext;
const methodsOf = (domain: string) => Object.keys(FACTORIES[domain]!(unusedContext));

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
    expect([...documented.keys()].sort()).toEqual(Object.keys(FACTORIES).sort());
    for (const domain of Object.keys(FACTORIES)) {
      expect(documented.get(domain), domain).toEqual(methodsOf(domain));
    }
  });

  it('never share a name across domains: the adapter spreads them into one object, so one would override another', () => {
    const owners = new Map<string, string[]>();
    for (const domain of Object.keys(FACTORIES)) {
      for (const method of methodsOf(domain)) owners.set(method, [...(owners.get(method) ?? []), domain]);
    }
    expect([...owners].filter(([, domains]) => domains.length > 1)).toEqual([]);
    const adapter = createHttpSseCloudTransportAdapter({ baseUrl: '', fetch: createFakeFetch() });
    expect(Object.keys(adapter).sort()).toEqual([...owners.keys()].sort());
  });
});
