/** The artifacts domain's calls as data, shared by the client's unit test and the server's OpenAPI test. */
import { get, post, type DomainCase } from './exchange.js';

const at = '2026-08-01T00:00:00.000Z';
const artifact = {
  artifactId: 'art1',
  id: 'art1',
  toolId: 'cloud-artifact',
  toolName: 'cloud.artifact',
  filePath: 'cloud-artifact://art1/report.md',
  filename: 'report.md',
  order: 0,
  source: 'cloud',
  cloudArtifactId: 'art1',
  sessionId: 's1',
  sessionTitle: null,
  workspaceId: 'cloud:t1',
  mime: 'text/markdown',
  contentType: 'text/markdown',
  size: 5,
  createdAt: at,
  updatedAt: at,
  kind: 'document',
  status: 'draft',
  authorAgentId: null,
  projectId: null,
  taskId: null,
  statusUpdatedBy: null,
  statusUpdatedAt: null,
};
const final = { ...artifact, status: 'final', statusUpdatedBy: 'u1', statusUpdatedAt: at };
const index = { artifacts: [artifact], total: 1, scannedSessions: 3, truncated: false };
const nullStatusFields = { updatedBy: null, authorAgentId: null, projectId: null, taskId: null, kind: null };
const nullUploadFields = {
  kind: null,
  status: null,
  authorAgentId: null,
  projectId: null,
  taskId: null,
  statusUpdatedBy: null,
  statusUpdatedAt: null,
};

export const artifactsCases: DomainCase[] = [
  {
    method: 'listArtifacts',
    args: ['s1'],
    exchanges: [get('/api/sessions/s1/artifacts', { artifacts: [artifact] })],
    result: [artifact],
  },
  {
    method: 'listArtifacts',
    args: ['a/b?c#d'],
    exchanges: [get('/api/sessions/a%2Fb%3Fc%23d/artifacts', { artifacts: [] })],
    result: [],
  },
  { method: 'indexArtifacts', args: [], exchanges: [get('/api/artifacts', index)], result: index },
  {
    method: 'indexArtifacts',
    args: [{ sessionId: 's1', projectId: 'p1', taskId: 't0', taskIds: ['t1', 't2'], kind: 'chart', status: 'final', limit: 10 }],
    exchanges: [get('/api/artifacts?sessionId=s1&projectId=p1&taskId=t0&taskIds=t1&taskIds=t2&kind=chart&status=final&limit=10', index)],
    result: index,
  },
  {
    method: 'updateArtifactStatus',
    args: [{ sessionId: 's1', artifactId: 'art1', status: 'final' }],
    exchanges: [post('/api/sessions/s1/artifacts/art1/status', { status: 'final', ...nullStatusFields }, { artifact: final })],
    result: final,
  },
  {
    method: 'updateArtifactStatus',
    args: [
      { sessionId: 'a/b', artifactId: 'c#d', status: 'in-review', updatedBy: 'u1', taskId: 't1', kind: 'deck' },
      { idempotencyKey: 'k-1' },
    ],
    exchanges: [
      post(
        '/api/sessions/a%2Fb/artifacts/c%23d/status',
        { ...nullStatusFields, status: 'in-review', updatedBy: 'u1', taskId: 't1', kind: 'deck' },
        { artifact: final },
        'k-1',
      ),
    ],
    result: final,
  },
  {
    method: 'uploadArtifact',
    args: [
      's1',
      { filename: 'report.md', contentType: 'text/markdown', dataBase64: 'aGVsbG8=', kind: 'document', projectId: 'p1' },
      { idempotencyKey: 'k-2' },
    ],
    exchanges: [
      post(
        '/api/sessions/s1/artifacts',
        {
          filename: 'report.md',
          contentType: 'text/markdown',
          dataBase64: 'aGVsbG8=',
          ...nullUploadFields,
          kind: 'document',
          projectId: 'p1',
        },
        { artifact },
        'k-2',
        201,
      ),
    ],
    result: artifact,
  },
  {
    method: 'uploadArtifact',
    args: ['s1', { filename: 'hello.bin', data: new Uint8Array([104, 101, 108, 108, 111]) }],
    exchanges: [
      post(
        '/api/sessions/s1/artifacts',
        { filename: 'hello.bin', contentType: null, dataBase64: 'aGVsbG8=', ...nullUploadFields },
        { artifact },
        undefined,
        201,
      ),
    ],
    result: artifact,
  },
  {
    method: 'uploadArtifact',
    args: ['s1', { filename: 'empty.txt', data: new Uint8Array(0) }],
    exchanges: [
      post(
        '/api/sessions/s1/artifacts',
        { filename: 'empty.txt', contentType: null, dataBase64: '', ...nullUploadFields },
        { artifact },
        undefined,
        201,
      ),
    ],
    result: artifact,
  },
  {
    method: 'readArtifactAttachment',
    args: ['s1', 'art1'],
    exchanges: [get('/api/sessions/s1/artifacts/art1', { artifact: { ...artifact, dataBase64: 'aGVsbG8=' } })],
    result: { mime: 'text/markdown', url: 'data:text/markdown;base64,aGVsbG8=', filename: 'report.md' },
  },
  {
    method: 'readArtifactAttachment',
    args: ['a/b?c#d', 'cloud-artifact://x%2Fy%3Fz/my%20file.md'],
    exchanges: [
      get('/api/sessions/a%2Fb%3Fc%23d/artifacts/x%2Fy%3Fz', {
        artifact: { ...artifact, contentType: 'image/png', mime: 'image/png', filename: 'my file.png', dataBase64: 'AA==' },
      }),
    ],
    result: { mime: 'image/png', url: 'data:image/png;base64,AA==', filename: 'my file.png' },
  },
];
