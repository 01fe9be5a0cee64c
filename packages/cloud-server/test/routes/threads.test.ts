import { afterAll, beforeAll, describe, it } from 'vitest';
import { engines } from '@open-cowork/test-support/db';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';
import { type BadInputCase, expectRefused } from './workspace-bad-inputs.js';

const TABLES = ['thread_tags', 'thread_tag_assignments', 'thread_smart_filters'] as const;

describe.each(engines)('thread routes refuse bad input and write nothing (%s)', (engine) => {
  let server: TestServer;
  let token: string;
  let tagId: string;
  let sessionId: string;
  let foreignSession: string;
  let filterId: string;
  beforeAll(async () => {
    server = await startTestServer({ engine });
    token = await server.mintToken(['desktop']);
    const other = await server.mintToken(['desktop'], { email: 'threads-routes@example.com' });
    const post = async (bearer: string, url: string, payload: object) =>
      (await server.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${bearer}` }, payload })).json();
    tagId = (await post(token, '/api/threads/tags', { name: 'Taken' })).tag.tagId;
    sessionId = (await post(token, '/api/sessions', {})).session.sessionId;
    foreignSession = (await post(other, '/api/sessions', {})).session.sessionId;
    filterId = (await post(token, '/api/threads/smart-filters', { name: 'F', query: {} })).filter.filterId;
  });
  afterAll(() => server.close());

  const cases: BadInputCase[] = [
    {
      name: 'tag without a name',
      method: 'POST',
      url: () => '/api/threads/tags',
      body: { color: '#fff' },
      status: 400,
      code: 'request.invalid',
    },
    {
      name: 'tag with a bad colour',
      method: 'POST',
      url: () => '/api/threads/tags',
      body: { name: 'x', color: 'red; drop' },
      status: 400,
      code: 'request.invalid',
    },
    {
      name: 'tag with a taken name',
      method: 'POST',
      url: () => '/api/threads/tags',
      body: { name: 'TAKEN' },
      status: 409,
      code: 'threads.tag_name_taken',
    },
    {
      name: 'update an unknown tag',
      method: 'PATCH',
      url: () => '/api/threads/tags/tag_missing',
      body: { name: 'x' },
      status: 404,
      code: 'threads.tag_not_found',
    },
    {
      name: 'update with an empty name',
      method: 'PATCH',
      url: () => `/api/threads/tags/${tagId}`,
      body: { name: '' },
      status: 400,
      code: 'request.invalid',
    },
    {
      name: 'apply without sessions',
      method: 'POST',
      url: () => `/api/threads/tags/${tagId}/apply`,
      body: { sessionIds: [] },
      status: 400,
      code: 'request.invalid',
    },
    {
      name: 'apply an unknown tag',
      method: 'POST',
      url: () => '/api/threads/tags/tag_missing/apply',
      body: () => ({ sessionIds: [sessionId] }),
      status: 404,
      code: 'threads.tag_not_found',
    },
    {
      name: 'apply to a foreign session',
      method: 'POST',
      url: () => `/api/threads/tags/${tagId}/apply`,
      body: () => ({ sessionIds: [sessionId, foreignSession] }),
      status: 404,
      code: 'sessions.not_found',
    },
    {
      name: 'remove from an unknown session',
      method: 'POST',
      url: () => `/api/threads/tags/${tagId}/remove`,
      body: { sessionIds: ['ses_missing'] },
      status: 404,
      code: 'sessions.not_found',
    },
    {
      name: 'filter with a non-object query',
      method: 'POST',
      url: () => '/api/threads/smart-filters',
      body: { name: 'x', query: [1] },
      status: 400,
      code: 'request.invalid',
    },
    {
      name: 'filter with a huge query',
      method: 'POST',
      url: () => '/api/threads/smart-filters',
      body: { name: 'x', query: { text: 'y'.repeat(20_000) } },
      status: 413,
      code: 'threads.filter_query_too_large',
    },
    {
      name: 'update an unknown filter',
      method: 'PATCH',
      url: () => '/api/threads/smart-filters/tflt_missing',
      body: { name: 'x' },
      status: 404,
      code: 'threads.filter_not_found',
    },
    {
      name: 'update a filter with a non-object query',
      method: 'PATCH',
      url: () => `/api/threads/smart-filters/${filterId}`,
      body: { query: 'x' },
      status: 400,
      code: 'request.invalid',
    },
  ];

  it.each(cases)('$name → $status $code', async (bad) => {
    await expectRefused(server, token, bad, TABLES);
  });
});
