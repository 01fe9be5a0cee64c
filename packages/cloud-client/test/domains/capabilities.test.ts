import { describe, expect, it } from 'vitest';
import { createHttpSseCloudTransportAdapter, type CloudFetch } from '../../src/adapter.js';
import { createFakeFetch } from '../helpers/fake-fetch.js';
// Type-only: the case shapes are shared, the tests of sessions.test.ts are not re-registered.
import type { DomainCase } from './sessions.test.js';

const tool = {
  id: 'github',
  name: 'GitHub',
  description: 'Repositories and issues',
  kind: 'mcp',
  source: 'builtin',
  patterns: ['github_*'],
  agentNames: ['build'],
};
const skill = { name: 'pdf', label: 'PDF', description: 'Read PDFs', source: 'builtin', agentNames: [] };
const bundle = {
  name: 'pdf',
  source: 'builtin',
  content: '# PDF',
  files: [
    { path: 'SKILL.md', content: '# PDF' },
    { path: 'scripts/split.py', content: 'print(1)' },
    { path: 'assets/logo.png' },
  ],
};

export const capabilitiesCases: DomainCase[] = [
  {
    method: 'listCapabilityTools',
    args: [],
    exchanges: [
      {
        request: { method: 'GET', path: '/api/capabilities/tools' },
        response: { body: { tools: [tool] } },
      },
    ],
    result: [tool],
  },
  {
    method: 'getCapabilityTool',
    args: ['github'],
    exchanges: [
      {
        request: { method: 'GET', path: '/api/capabilities/tools/github' },
        response: { body: { tool } },
      },
    ],
    result: tool,
  },
  {
    method: 'getCapabilityTool',
    args: ['a/b?c#d'],
    exchanges: [
      {
        request: { method: 'GET', path: '/api/capabilities/tools/a%2Fb%3Fc%23d' },
        response: { body: { tool } },
      },
    ],
    result: tool,
  },
  {
    method: 'listCapabilitySkills',
    args: [],
    exchanges: [
      {
        request: { method: 'GET', path: '/api/capabilities/skills' },
        response: { body: { skills: [skill] } },
      },
    ],
    result: [skill],
  },
  {
    method: 'getCapabilitySkillBundle',
    args: ['pdf'],
    exchanges: [
      {
        request: { method: 'GET', path: '/api/capabilities/skills/pdf/bundle' },
        response: { body: { bundle } },
      },
    ],
    result: bundle,
  },
  {
    method: 'readCapabilitySkillBundleFile',
    args: ['pdf', 'scripts/split.py'],
    exchanges: [
      {
        request: { method: 'GET', path: '/api/capabilities/skills/pdf/bundle' },
        response: { body: { bundle } },
      },
    ],
    result: 'print(1)',
  },
  {
    method: 'readCapabilitySkillBundleFile',
    args: ['pdf', 'nope.md'],
    exchanges: [
      {
        request: { method: 'GET', path: '/api/capabilities/skills/pdf/bundle' },
        response: { body: { bundle } },
      },
    ],
    result: null,
  },
  {
    method: 'readCapabilitySkillBundleFile',
    args: ['a/b?c#d', 'assets/logo.png'],
    exchanges: [
      {
        request: { method: 'GET', path: '/api/capabilities/skills/a%2Fb%3Fc%23d/bundle' },
        response: { body: { bundle } },
      },
    ],
    result: null,
  },
  {
    method: 'readCapabilitySkillBundleFiles',
    args: ['pdf', ['SKILL.md', 'scripts/split.py', 'missing']],
    exchanges: [
      {
        request: { method: 'GET', path: '/api/capabilities/skills/pdf/bundle' },
        response: { body: { bundle } },
      },
    ],
    result: { 'SKILL.md': '# PDF', 'scripts/split.py': 'print(1)', missing: null },
  },
];

const invalidCalls: { method: string; args: unknown[] }[] = [
  { method: 'getCapabilityTool', args: [''] },
  { method: 'getCapabilitySkillBundle', args: [undefined] },
  { method: 'readCapabilitySkillBundleFile', args: ['pdf', ''] },
  { method: 'readCapabilitySkillBundleFile', args: ['', 'SKILL.md'] },
  { method: 'readCapabilitySkillBundleFiles', args: ['pdf', 'SKILL.md'] },
  { method: 'readCapabilitySkillBundleFiles', args: ['pdf', ['SKILL.md', 3]] },
];

function setup() {
  const fetch = createFakeFetch();
  const cloud = createHttpSseCloudTransportAdapter({
    baseUrl: 'https://cloud.test',
    fetch: fetch as unknown as CloudFetch,
  });
  const call = async (method: string, args: unknown[]) => {
    const value = (cloud as unknown as Record<string, (...args: unknown[]) => unknown>)[method]!(...args);
    if (typeof value !== 'object' || value === null || !(Symbol.asyncIterator in value)) return value;
    const items: unknown[] = [];
    for await (const item of value as AsyncIterable<unknown>) items.push(item);
    return items;
  };
  return { fetch, cloud, call };
}

async function runCase(c: DomainCase) {
  const { fetch, call } = setup();
  for (const exchange of c.exchanges) fetch.respond(exchange.response);
  await expect(call(c.method, c.args)).resolves.toEqual(c.result);
  expect(fetch.requests).toHaveLength(c.exchanges.length);
  c.exchanges.forEach(({ request }, index) => {
    const sent = fetch.requests[index]!;
    expect(sent.method).toBe(request.method);
    expect(sent.url).toBe(`https://cloud.test${request.path}`);
    expect(sent.headers['content-type']).toBe(request.body === undefined ? undefined : 'application/json');
    expect(sent.headers['idempotency-key']).toBe(request.idempotencyKey);
    expect(sent.json).toEqual(request.body);
  });
}

describe('capabilities domain', () => {
  it.each(capabilitiesCases)('$method $exchanges.0.request.method $exchanges.0.request.path', runCase);

  it.each(invalidCalls)('$method rejects $args with kind request before any I/O', async ({ method, args }) => {
    const { fetch, call } = setup();
    await expect(call(method, args)).rejects.toMatchObject({ name: 'CloudTransportError', kind: 'request' });
    expect(fetch.requests).toHaveLength(0);
  });

  it('getCapabilityTool surfaces a missing tool as kind not_found, never null', async () => {
    const { fetch, call } = setup();
    fetch.respond({
      status: 404,
      body: { error: 'Capability tool was not found.', code: 'capabilities.tool_not_found' },
    });
    await expect(call('getCapabilityTool', ['nope'])).rejects.toMatchObject({ kind: 'not_found', status: 404 });
  });

  it('readCapabilitySkillBundleFiles downloads the bundle once for many files', async () => {
    const { fetch, call } = setup();
    fetch.respond({ body: { bundle } });
    await call('readCapabilitySkillBundleFiles', ['pdf', ['SKILL.md', 'scripts/split.py', 'assets/logo.png']]);
    expect(fetch.requests).toHaveLength(1);
  });
});
