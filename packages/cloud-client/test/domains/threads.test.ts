import { describe, expect, it } from 'vitest';
import { CASE_TITLE, INVALID_TITLE, runCase, runInvalid, setup, type InvalidCall } from '../helpers/domain-cases.js';
import { threadsCases } from '@open-cowork/test-support/cases/threads';

const invalidCalls: InvalidCall[] = [
  { method: 'searchThreads', args: [{ limit: 0 }] },
  { method: 'searchThreads', args: [{ tagIds: [''] }] },
  { method: 'searchThreads', args: [{ statuses: ['errored'] }] },
  { method: 'searchThreads', args: ['bug'] },
  { method: 'searchThreads', args: [{ text: 42 }] },
  { method: 'searchThreads', args: [{ tagIds: 5 }] },
  { method: 'searchThreads', args: [{ cursor: {} }] },
  { method: 'threadFacets', args: [{ limit: -1 }] },
  { method: 'createThreadTag', args: [{ name: '' }] },
  { method: 'createThreadTag', args: [null] },
  { method: 'updateThreadTag', args: ['', { name: 'x' }] },
  { method: 'updateThreadTag', args: ['tag1', 'x'] },
  { method: 'deleteThreadTag', args: [undefined] },
  { method: 'applyThreadTags', args: [[], ['tag1']] },
  { method: 'applyThreadTags', args: [['s1'], []] },
  { method: 'applyThreadTags', args: [['s1'], ['tag1', '']] },
  { method: 'applyThreadTags', args: ['s1', ['tag1']] },
  { method: 'removeThreadTags', args: [['s1', 7], ['tag1']] },
  { method: 'removeThreadTags', args: [['s1'], 'tag1'] },
  { method: 'createThreadSmartFilter', args: [{ name: 'x', query: 'tag:1' }] },
  { method: 'createThreadSmartFilter', args: [{ query: {} }] },
  { method: 'updateThreadSmartFilter', args: ['f1', { query: [] }] },
  { method: 'updateThreadSmartFilter', args: [' ', {}] },
  { method: 'deleteThreadSmartFilter', args: [''] },
];

describe('threads domain', () => {
  it.each(threadsCases)(CASE_TITLE, runCase);

  it.each(invalidCalls)(INVALID_TITLE, runInvalid);

  it('applyThreadTags sends one tag at a time and stops at the first failure', async () => {
    const { fetch, call } = setup();
    fetch.respond({ body: { ok: true } }).respond({ status: 404, body: { error: 'Tag not found.' } });
    await expect(call('applyThreadTags', [['s1'], ['tag1', 'gone', 'tag3']])).rejects.toMatchObject({ kind: 'not_found' });
    expect(fetch.requests.map((request) => request.url)).toEqual([
      'https://cloud.test/api/threads/tags/tag1/apply',
      'https://cloud.test/api/threads/tags/gone/apply',
    ]);
  });
});
