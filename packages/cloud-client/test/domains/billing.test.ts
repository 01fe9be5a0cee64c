import { describe, it } from 'vitest';
import { CASE_TITLE, INVALID_TITLE, runCase, runInvalid, type InvalidCall } from '../helpers/domain-cases.js';
import { billingCases } from '@open-cowork/test-support/cases/billing';

const invalidCalls: InvalidCall[] = [
  { method: 'listUsageEvents', args: [0] },
  { method: 'listUsageEvents', args: [1.5] },
  { method: 'getUsageSummary', args: ['10'] },
  { method: 'createBillingCheckout', args: ['team'] },
  { method: 'createBillingCheckout', args: [null] },
  { method: 'createBillingPortal', args: [['https://app.test']] },
];

describe('billing domain', () => {
  it.each(billingCases)(CASE_TITLE, runCase);

  it.each(invalidCalls)(INVALID_TITLE, runInvalid);
});
