import { describe, expect, it } from 'vitest';
import { CASE_TITLE, runCase, setup } from '../helpers/domain-cases.js';
import { configCases } from '@open-cowork/test-support/cases/config';

describe('config domain', () => {
  it.each(configCases)(CASE_TITLE, runCase);

  it('getWorkspace rejects with kind forbidden when the membership is inactive', async () => {
    const { fetch, call } = setup();
    fetch.respond({ status: 403, body: { error: 'Membership is not active.', code: 'authorization.membership_inactive' } });
    await expect(call('getWorkspace', [])).rejects.toMatchObject({ kind: 'forbidden', code: 'authorization.membership_inactive' });
  });
});
