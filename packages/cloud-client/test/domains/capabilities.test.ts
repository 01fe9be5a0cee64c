import { describe, expect, it } from 'vitest';
import { CASE_TITLE, INVALID_TITLE, runCase, runInvalid, setup, type InvalidCall } from '../helpers/domain-cases.js';
import { capabilitiesCases, bundle } from '@open-cowork/test-support/cases/capabilities';

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
