import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CAPABILITIES } from '../../src/capability-catalog.js';
import { engines } from '@open-cowork/test-support/db';
import type { TestServer } from '@open-cowork/test-support/server';
import { type Client, failure, startHarness } from './harness.js';

describe.each(engines)('capabilities through the client (%s)', (engine) => {
  let server: TestServer;
  let cloud: Client;
  beforeAll(async () => {
    ({ server, client: cloud } = await startHarness({
      engine,
      config: {
        capabilities: {
          tools: [
            ...DEFAULT_CAPABILITIES.tools,
            {
              id: 'custom/linear',
              name: 'Linear',
              description: 'Issues.',
              kind: 'mcp',
              source: 'custom',
              patterns: ['linear_*'],
              agentNames: [],
            },
          ],
          skills: DEFAULT_CAPABILITIES.skills,
        },
      },
    }));
  });
  afterAll(() => server.close());

  it('lists the configured tools and reads one by id, ids with a slash included', async () => {
    const tools = await cloud.listCapabilityTools();
    expect(tools.map((tool) => tool.id)).toEqual(['web-search', 'artifacts', 'github', 'custom/linear']);
    expect(await cloud.getCapabilityTool('web-search')).toEqual(DEFAULT_CAPABILITIES.tools[0]);
    expect((await cloud.getCapabilityTool('custom/linear')).name).toBe('Linear');
    const missing = await failure(cloud.getCapabilityTool('nope'));
    expect(missing).toMatchObject({ kind: 'not_found', code: 'capabilities.tool_not_found', status: 404 });
  });

  it('lists the skills without their bundles', async () => {
    const skills = await cloud.listCapabilitySkills();
    expect(skills.map((skill) => skill.name)).toEqual(['summarize-document', 'weekly-report']);
    expect(skills[0]).not.toHaveProperty('bundle');
    expect(skills[1]).toMatchObject({ label: 'Weekly report', toolIds: ['artifacts', 'web-search'], agentNames: ['build'] });
  });

  it('serves a skill bundle with the content of every file, and single files from it', async () => {
    const bundle = await cloud.getCapabilitySkillBundle('weekly-report');
    expect(bundle).toMatchObject({ name: 'weekly-report', source: 'builtin', location: 'builtin://skills/weekly-report' });
    expect(bundle.content).toContain('# weekly-report');
    expect(bundle.files.map((file) => file.path)).toEqual(['SKILL.md', 'templates/report.md', 'examples/sample.md']);
    expect(await cloud.readCapabilitySkillBundleFile('weekly-report', 'templates/report.md')).toContain('## Shipped');
    expect(await cloud.readCapabilitySkillBundleFile('weekly-report', 'missing.md')).toBeNull();
    expect(await cloud.readCapabilitySkillBundleFiles('summarize-document', ['SKILL.md', 'nope'])).toEqual({
      'SKILL.md': expect.stringContaining('summarize-document'),
      nope: null,
    });
    const missing = await failure(cloud.getCapabilitySkillBundle('no-such-skill'));
    expect(missing).toMatchObject({ kind: 'not_found', code: 'capabilities.skill_not_found' });
  });

  it('serves the whole catalog and single skills on the server-only routes', async () => {
    const headers = { authorization: `Bearer ${await server.mintToken(['desktop'])}` };
    const catalog = await (await fetch(`${server.baseUrl}/api/capabilities`, { headers })).json();
    expect(catalog.tools).toHaveLength(4);
    expect(catalog.skills).toHaveLength(2);
    const skill = await (await fetch(`${server.baseUrl}/api/capabilities/skills/weekly-report`, { headers })).json();
    expect(skill.skill.name).toBe('weekly-report');
    expect((await fetch(`${server.baseUrl}/api/capabilities/tools`)).status).toBe(401);
  });
});
