/** The sessions domain's calls as data, shared by the client's unit test and the server's OpenAPI test. */
import { get, post, send, type DomainCase } from './exchange.js';

const at = '2026-08-01T00:00:00.000Z';
export const session = (sessionId: string) => ({
  tenantId: 't1',
  userId: 'u1',
  sessionId,
  opencodeSessionId: null,
  profileName: 'default',
  status: 'idle',
  title: null,
  createdAt: at,
  updatedAt: at,
});
const view = { session: session('s1'), projection: { sessionId: 's1', sequence: 3, view: {}, updatedAt: at } };
const commandResponse = (kind: string) => ({
  command: { commandId: 'c1', sessionId: 's1', kind, status: 'acked' },
  processed: 1,
  view,
  projectionFence: null,
});
const gitSource = { kind: 'git', repositoryUrl: 'https://git.test/repo.git', ref: 'main' };
const snapshot = {
  snapshotId: 'snap1',
  objectKey: 'k/snap1',
  fileCount: 1,
  byteCount: 5,
  createdAt: at,
  projectSource: { kind: 'snapshot', snapshotId: 'snap1', objectKey: 'k/snap1', fileCount: 1, byteCount: 5 },
};
const importRequest = {
  source: { kind: 'local-session', fingerprint: 'fp', title: 'Local' },
  title: 'Local',
  selection: { includeMessages: true },
  itemCounts: { messages: 1, artifacts: 0, attachments: 0, projectSource: 0, excluded: 0 },
  messages: [{ id: 'm1', role: 'user', content: 'hi', order: 0 }],
};

export const sessionsCases: DomainCase[] = [
  {
    method: 'listSessionsPage',
    args: [],
    exchanges: [get('/api/sessions', { sessions: [session('s1')], nextCursor: null, totalEstimate: 1 })],
    result: { sessions: [session('s1')], nextCursor: null, totalEstimate: 1 },
  },
  {
    method: 'listSessionsPage',
    args: [{ limit: 10, cursor: 'cur', status: 'running', profileName: 'p', q: 'fix bug' }],
    exchanges: [
      get('/api/sessions?limit=10&cursor=cur&status=running&profileName=p&q=fix+bug', {
        sessions: [],
        nextCursor: null,
        totalEstimate: 0,
      }),
    ],
    result: { sessions: [], nextCursor: null, totalEstimate: 0 },
  },
  {
    method: 'listSessions',
    args: [{ limit: 1, status: 'idle' }],
    exchanges: [
      get('/api/sessions?limit=1&status=idle', { sessions: [session('s1')], nextCursor: 'c2', totalEstimate: 2 }),
      get('/api/sessions?limit=1&cursor=c2&status=idle', { sessions: [session('s2')], nextCursor: null, totalEstimate: 1 }),
    ],
    result: [session('s1'), session('s2')],
  },
  {
    method: 'listSessions',
    args: [],
    exchanges: [get('/api/sessions', { sessions: [session('s1')], nextCursor: null, totalEstimate: 1 })],
    result: [session('s1')],
  },
  {
    method: 'iterateSessions',
    args: [{ q: 'x' }],
    exchanges: [
      get('/api/sessions?q=x', { sessions: [session('s1'), session('s2')], nextCursor: 'n', totalEstimate: 101 }),
      get('/api/sessions?cursor=n&q=x', { sessions: [session('s3')], nextCursor: null, totalEstimate: 1 }),
    ],
    result: [session('s1'), session('s2'), session('s3')],
  },
  {
    method: 'createSession',
    args: [],
    exchanges: [post('/api/sessions', {}, view, undefined, 201)],
    result: view,
  },
  {
    method: 'createSession',
    args: [{ profileName: 'p', projectSource: gitSource }, { idempotencyKey: 'k-1' }],
    exchanges: [post('/api/sessions', { profileName: 'p', projectSource: gitSource }, view, 'k-1', 201)],
    result: view,
  },
  {
    method: 'createSession',
    args: [{ projectSource: null }],
    exchanges: [post('/api/sessions', { projectSource: null }, view, undefined, 201)],
    result: view,
  },
  {
    method: 'validateProjectSource',
    args: [gitSource],
    exchanges: [post('/api/project-sources/validate', { projectSource: gitSource }, { allowed: false, reason: 'no' })],
    result: { allowed: false, reason: 'no' },
  },
  {
    method: 'uploadProjectSnapshot',
    args: [{ title: 'T', files: [{ path: 'a.txt', dataBase64: 'aGVsbG8=' }] }, { idempotencyKey: 'k-2' }],
    exchanges: [
      post('/api/project-sources/snapshots', { title: 'T', files: [{ path: 'a.txt', dataBase64: 'aGVsbG8=' }] }, snapshot, 'k-2', 201),
    ],
    result: snapshot,
  },
  {
    method: 'importSession',
    args: [importRequest],
    exchanges: [post('/api/import/sessions', importRequest, view, undefined, 201)],
    result: view,
  },
  {
    method: 'getSession',
    args: ['s1'],
    exchanges: [get('/api/sessions/s1', view)],
    result: view,
  },
  {
    method: 'getSession',
    args: ['a/b?c#d'],
    exchanges: [get('/api/sessions/a%2Fb%3Fc%23d', view)],
    result: view,
  },
  {
    method: 'renameSession',
    args: ['s1', 'Release notes'],
    exchanges: [send('PATCH', '/api/sessions/s1', { title: 'Release notes' }, view)],
    result: view,
  },
  {
    method: 'renameSession',
    args: ['a/b?c#d', 'Release notes', { idempotencyKey: 'k-7' }],
    exchanges: [send('PATCH', '/api/sessions/a%2Fb%3Fc%23d', { title: 'Release notes' }, view, 'k-7')],
    result: view,
  },
  {
    method: 'closeSession',
    args: ['s1'],
    exchanges: [post('/api/sessions/s1/close', {}, view)],
    result: view,
  },
  {
    method: 'closeSession',
    args: ['s1', { idempotencyKey: 'k-8' }],
    exchanges: [post('/api/sessions/s1/close', {}, view, 'k-8')],
    result: view,
  },
  {
    method: 'promptSession',
    args: ['s1', { text: 'Hello' }],
    exchanges: [post('/api/sessions/s1/prompt', { text: 'Hello' }, commandResponse('prompt'), undefined, 202)],
    result: commandResponse('prompt'),
  },
  {
    method: 'promptSession',
    args: ['a/b?c#d', { text: 'Hello', agent: 'build' }, { idempotencyKey: 'k-3' }],
    exchanges: [post('/api/sessions/a%2Fb%3Fc%23d/prompt', { text: 'Hello', agent: 'build' }, commandResponse('prompt'), 'k-3', 202)],
    result: commandResponse('prompt'),
  },
  {
    method: 'abortSession',
    args: ['s1'],
    exchanges: [post('/api/sessions/s1/abort', {}, commandResponse('abort'), undefined, 202)],
    result: commandResponse('abort'),
  },
  {
    method: 'abortSession',
    args: ['s1', { idempotencyKey: 'k-4' }],
    exchanges: [post('/api/sessions/s1/abort', {}, commandResponse('abort'), 'k-4', 202)],
    result: commandResponse('abort'),
  },
  {
    method: 'replyToQuestion',
    args: ['s1', { requestId: 'q1', answers: [['yes']] }, { idempotencyKey: 'k-5' }],
    exchanges: [
      post('/api/sessions/s1/question-reply', { requestId: 'q1', answers: [['yes']] }, commandResponse('question.reply'), 'k-5', 202),
    ],
    result: commandResponse('question.reply'),
  },
  {
    method: 'rejectQuestion',
    args: ['s1', { requestId: 'q1' }],
    exchanges: [post('/api/sessions/s1/question-reject', { requestId: 'q1' }, commandResponse('question.reject'), undefined, 202)],
    result: commandResponse('question.reject'),
  },
  {
    method: 'respondToPermission',
    args: ['s1', { permissionId: 'p1', response: 'once' }, { idempotencyKey: 'k-6' }],
    exchanges: [
      post(
        '/api/sessions/s1/permission-respond',
        { permissionId: 'p1', response: 'once' },
        commandResponse('permission.respond'),
        'k-6',
        202,
      ),
    ],
    result: commandResponse('permission.respond'),
  },
  {
    method: 'respondToPermission',
    args: ['s1', { permissionId: 'p1', response: false }],
    exchanges: [
      post(
        '/api/sessions/s1/permission-respond',
        { permissionId: 'p1', response: false },
        commandResponse('permission.respond'),
        undefined,
        202,
      ),
    ],
    result: commandResponse('permission.respond'),
  },
];
