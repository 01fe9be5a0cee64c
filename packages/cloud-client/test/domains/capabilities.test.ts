import { describe, expect, it } from 'vitest';
import {
  CASE_TITLE,
  INVALID_TITLE,
  get,
  runCase,
  runInvalid,
  setup,
  type DomainCase,
  type InvalidCall,
} from '../helpers/domain-cases.js';

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
    exchanges: [get('/api/capabilities/tools', { tools: [tool] })],
    result: [tool],
  },
  {
    method: 'getCapabilityTool',
    args: ['github'],
    exchanges: [get('/api/capabilities/tools/github', { tool })],
    result: tool,
  },
  {
    method: 'getCapabilityTool',
    args: ['a/b?c#d'],
    exchanges: [get('/api/capabilities/tools/a%2Fb%3Fc%23d', { tool })],
    result: tool,
  },
  {
    method: 'listCapabilitySkills',
    args: [],
    exchanges: [get('/api/capabilities/skills', { skills: [skill] })],
    result: [skill],
  },
  {
    method: 'getCapabilitySkillBundle',
    args: ['pdf'],
    exchanges: [get('/api/capabilities/skills/pdf/bundle', { bundle })],
    result: bundle,
  },
  {
    method: 'readCapabilitySkillBundleFile',
    args: ['pdf', 'scripts/split.py'],
    exchanges: [get('/api/capabilities/skills/pdf/bundle', { bundle })],
    result: 'print(1)',
  },
  {
    method: 'readCapabilitySkillBundleFile',
    args: ['pdf', 'nope.md'],
    exchanges: [get('/api/capabilities/skills/pdf/bundle', { bundle })],
    result: null,
  },
  {
    method: 'readCapabilitySkillBundleFile',
    args: ['a/b?c#d', 'assets/logo.png'],
    exchanges: [get('/api/capabilities/skills/a%2Fb%3Fc%23d/bundle', { bundle })],
    result: null,
  },
  {
    method: 'readCapabilitySkillBundleFiles',
    args: ['pdf', ['SKILL.md', 'scripts/split.py', 'missing']],
    exchanges: [get('/api/capabilities/skills/pdf/bundle', { bundle })],
    result: { 'SKILL.md': '# PDF', 'scripts/split.py': 'print(1)', missing: null },
  },
];

const invalidCalls: InvalidCall[] = [
  { method: 'getCapabilityTool', args: [''] },
  { method: 'getCapabilitySkillBundle', args: [undefined] },
  { method: 'readCapabilitySkillBundleFile', args: ['pdf', ''] },
  { method: 'readCapabilitySkillBundleFile', args: ['', 'SKILL.md'] },
  { method: 'readCapabilitySkillBundleFiles', args: ['pdf', 'SKILL.md'] },
  { method: 'readCapabilitySkillBundleFiles', args: ['pdf', ['SKILL.md', 3]] },
];

describe('capabilities domain', () => {
  it.each(capabilitiesCases)(CASE_TITLE, runCase);

  it.each(invalidCalls)(INVALID_TITLE, runInvalid);

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
