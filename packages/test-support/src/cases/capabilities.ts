/** The capabilities domain's calls as data, shared by the client's unit test and the server's OpenAPI test. */
import { get, type DomainCase } from './exchange.js';

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
export const bundle = {
  name: 'pdf',
  source: 'builtin',
  content: '# PDF',
  files: [{ path: 'SKILL.md', content: '# PDF' }, { path: 'scripts/split.py', content: 'print(1)' }, { path: 'assets/logo.png' }],
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
