import { describe, expect, it } from 'vitest';
import { CASE_TITLE, runCase, setup } from '../helpers/domain-cases.js';
import { configCases } from '../cases/config.js';

describe('config domain', () => {
  it.each(configCases)(CASE_TITLE, runCase);

  it('getWorkspace rejects with kind forbidden when the membership is inactive', async () => {
    const { fetch, call } = setup();
    fetch.respond({ status: 403, body: { error: 'Membership is not active.', code: 'membership.inactive' } });
    await expect(call('getWorkspace', [])).rejects.toMatchObject({ kind: 'forbidden', code: 'membership.inactive' });
  });
});
