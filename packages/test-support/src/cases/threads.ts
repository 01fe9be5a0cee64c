/** The threads domain's calls as data, shared by the client's unit test and the server's OpenAPI test. */
import { get, send, type DomainCase } from './exchange.js';

const at = '2026-08-01T00:00:00.000Z';
const tagRecord = { tenantId: 't1', tagId: 'tag1', name: 'Urgent', color: '#ff0000', createdAt: at, updatedAt: at };
const tag = { id: 'tag1', name: 'Urgent', color: '#ff0000', createdAt: at, updatedAt: at };
const grey = { tenantId: 't1', tagId: 'tag2', name: 'Later', color: null, createdAt: at, updatedAt: at };
const greyTag = { id: 'tag2', name: 'Later', color: '#64748b', createdAt: at, updatedAt: at };
const thread = (sessionId: string, status: string, tags: unknown[] = []) => ({
  tenantId: 't1',
  userId: 'u1',
  sessionId,
  title: null,
  profileName: 'default',
  status,
  createdAt: at,
  updatedAt: at,
  tags,
});
const item = (sessionId: string, status: string, tags: unknown[] = []) => ({
  id: sessionId,
  sessionId,
  title: null,
  source: 'cloud',
  directory: null,
  profileName: 'default',
  provider: null,
  model: null,
  status,
  createdAt: at,
  updatedAt: at,
  tags,
  actualAgents: [{ name: 'default', count: 1 }],
  messageCount: 0,
  cost: 0,
  tokens: { input: 0, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0 },
});
const filter = { tenantId: 't1', filterId: 'f1', name: 'Mine', query: { tagIds: ['tag1'] }, createdAt: at, updatedAt: at };

export const threadsCases: DomainCase[] = [
  {
    method: 'searchThreads',
    args: [],
    exchanges: [get('/api/threads', { threads: [thread('s1', 'running', [tagRecord, grey])] })],
    result: { threads: [item('s1', 'running', [tag, greyTag])], nextCursor: null, totalEstimate: 1 },
  },
  {
    method: 'searchThreads',
    args: [{ text: ' bug ', limit: 20, tagIds: ['tag1', 'a/b'], statuses: ['idle', 'error'], cursor: 'c1' }],
    exchanges: [
      get('/api/threads?limit=20&tagId=tag1&tagId=a%2Fb&q=bug&status=idle&status=closed&status=errored&cursor=c1', {
        threads: [thread('s1', 'errored'), thread('s2', 'closed'), thread('s3', 'error')],
        nextCursor: 'c2',
        totalEstimate: 51,
      }),
    ],
    result: { threads: [item('s1', 'error'), item('s2', 'idle'), item('s3', 'error')], nextCursor: 'c2', totalEstimate: 51 },
  },
  {
    method: 'searchThreads',
    args: [{ tagIds: [], text: '   ' }],
    exchanges: [get('/api/threads', { threads: [thread('s1', 'idle', ['tag9'])] })],
    result: {
      threads: [item('s1', 'idle', [{ id: 'tag9', name: 'tag9', color: '#64748b', createdAt: at, updatedAt: at }])],
      nextCursor: null,
      totalEstimate: 1,
    },
  },
  {
    method: 'threadFacets',
    args: [{ limit: 50 }],
    exchanges: [
      get('/api/threads?limit=50', {
        threads: [thread('s1', 'idle', [tagRecord]), thread('s2', 'running', [tagRecord]), thread('s3', 'errored')],
      }),
      get('/api/threads/tags', { tags: [tagRecord, grey] }),
    ],
    result: {
      tags: [
        { ...tag, count: 2 },
        { ...greyTag, count: 0 },
      ],
      statuses: [
        { value: 'idle', count: 1 },
        { value: 'running', count: 1 },
        { value: 'error', count: 1 },
      ],
      agents: [{ value: 'default', count: 3 }],
    },
  },
  { method: 'listThreadTags', args: [], exchanges: [get('/api/threads/tags', { tags: [tagRecord, grey] })], result: [tag, greyTag] },
  {
    method: 'createThreadTag',
    args: [{ name: 'Urgent', color: '#ff0000' }, { idempotencyKey: 'k-1' }],
    exchanges: [send('POST', '/api/threads/tags', { name: 'Urgent', color: '#ff0000' }, { tag: tagRecord }, 'k-1', 201)],
    result: tag,
  },
  {
    method: 'createThreadTag',
    args: [{ name: 'Later' }],
    exchanges: [send('POST', '/api/threads/tags', { name: 'Later' }, { tag: grey }, undefined, 201)],
    result: greyTag,
  },
  {
    method: 'updateThreadTag',
    args: ['a/b?c#d', { color: '#00ff00' }],
    exchanges: [send('PATCH', '/api/threads/tags/a%2Fb%3Fc%23d', { color: '#00ff00' }, { tag: { ...tagRecord, color: '#00ff00' } })],
    result: { ...tag, color: '#00ff00' },
  },
  {
    method: 'deleteThreadTag',
    args: ['tag1', { idempotencyKey: 'k-2' }],
    exchanges: [send('DELETE', '/api/threads/tags/tag1', undefined, { deleted: true }, 'k-2')],
    result: true,
  },
  {
    method: 'deleteThreadTag',
    args: ['tag1'],
    exchanges: [send('DELETE', '/api/threads/tags/tag1', undefined, { deleted: false })],
    result: false,
  },
  {
    method: 'applyThreadTags',
    args: [
      ['s1', 's2'],
      ['tag1', 'a/b'],
    ],
    exchanges: [
      send('POST', '/api/threads/tags/tag1/apply', { sessionIds: ['s1', 's2'] }, { ok: true }),
      send('POST', '/api/threads/tags/a%2Fb/apply', { sessionIds: ['s1', 's2'] }, { ok: true }),
    ],
    result: true,
  },
  {
    method: 'removeThreadTags',
    args: [['s1'], ['tag1']],
    exchanges: [send('POST', '/api/threads/tags/tag1/remove', { sessionIds: ['s1'] }, { ok: true })],
    result: true,
  },
  {
    method: 'listThreadSmartFilters',
    args: [],
    exchanges: [get('/api/threads/smart-filters', { filters: [filter] })],
    result: [filter],
  },
  {
    method: 'createThreadSmartFilter',
    args: [{ name: 'Mine', query: { tagIds: ['tag1'] } }, { idempotencyKey: 'k-3' }],
    exchanges: [send('POST', '/api/threads/smart-filters', { name: 'Mine', query: { tagIds: ['tag1'] } }, { filter }, 'k-3', 201)],
    result: filter,
  },
  {
    method: 'updateThreadSmartFilter',
    args: ['a/b?c#d', { name: 'Renamed' }],
    exchanges: [send('PATCH', '/api/threads/smart-filters/a%2Fb%3Fc%23d', { name: 'Renamed' }, { filter: { ...filter, name: 'Renamed' } })],
    result: { ...filter, name: 'Renamed' },
  },
  {
    method: 'deleteThreadSmartFilter',
    args: ['f1'],
    exchanges: [send('DELETE', '/api/threads/smart-filters/f1', undefined, { deleted: true })],
    result: true,
  },
];
