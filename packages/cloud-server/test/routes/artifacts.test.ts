import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '@open-cowork/test-support/db';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';
import { type BadInputCase, expectRefused } from './workspace-bad-inputs.js';

const TABLES = ['artifacts'] as const;
const upload = (fields: Record<string, unknown> = {}) => ({
  filename: 'a.txt',
  dataBase64: Buffer.from('hi').toString('base64'),
  ...fields,
});

describe.each(engines)('artifact routes refuse bad input and write nothing (%s)', (engine) => {
  let server: TestServer;
  let token: string;
  let sessionId: string;
  let foreignSession: string;
  let finalId: string;
  beforeAll(async () => {
    server = await startTestServer({ engine, config: { artifactMaxBytes: 1024 } });
    token = await server.mintToken(['desktop']);
    const other = await server.mintToken(['desktop'], { email: 'artifact-routes@example.com' });
    const post = async (bearer: string, url: string, payload: object) =>
      (await server.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${bearer}` }, payload })).json();
    sessionId = (await post(token, '/api/sessions', {})).session.sessionId;
    foreignSession = (await post(other, '/api/sessions', {})).session.sessionId;
    finalId = (await post(token, `/api/sessions/${sessionId}/artifacts`, upload({ status: 'final' }))).artifact.artifactId;
  });
  afterAll(() => server.close());

  const cases: BadInputCase[] = [
    {
      name: 'upload to an unknown session',
      method: 'POST',
      url: () => '/api/sessions/ses_missing/artifacts',
      body: upload(),
      status: 404,
      code: 'sessions.not_found',
    },
    {
      name: "upload to another user's session",
      method: 'POST',
      url: () => `/api/sessions/${foreignSession}/artifacts`,
      body: upload(),
      status: 404,
      code: 'sessions.not_found',
    },
    {
      name: 'upload without data',
      method: 'POST',
      url: () => `/api/sessions/${sessionId}/artifacts`,
      body: { filename: 'a.txt' },
      status: 400,
      code: 'request.invalid',
    },
    {
      name: 'upload with bad base64',
      method: 'POST',
      url: () => `/api/sessions/${sessionId}/artifacts`,
      body: upload({ dataBase64: 'not base64!' }),
      status: 400,
      code: 'artifacts.data_invalid',
    },
    {
      name: 'upload with a path as file name',
      method: 'POST',
      url: () => `/api/sessions/${sessionId}/artifacts`,
      body: upload({ filename: '../etc/passwd' }),
      status: 400,
      code: 'artifacts.filename_invalid',
    },
    {
      name: 'upload with an unknown kind',
      method: 'POST',
      url: () => `/api/sessions/${sessionId}/artifacts`,
      body: upload({ kind: 'poster' }),
      status: 400,
      code: 'request.invalid',
    },
    {
      name: 'upload with an unknown status',
      method: 'POST',
      url: () => `/api/sessions/${sessionId}/artifacts`,
      body: upload({ status: 'done' }),
      status: 400,
      code: 'request.invalid',
    },
    {
      name: 'upload with a bad content type',
      method: 'POST',
      url: () => `/api/sessions/${sessionId}/artifacts`,
      body: upload({ contentType: 'text' }),
      status: 400,
      code: 'request.invalid',
    },
    {
      name: 'upload over the size cap',
      method: 'POST',
      url: () => `/api/sessions/${sessionId}/artifacts`,
      body: upload({ dataBase64: Buffer.alloc(1025).toString('base64') }),
      status: 413,
      code: 'artifacts.too_large',
    },
    {
      name: 'status of an unknown artifact',
      method: 'POST',
      url: () => `/api/sessions/${sessionId}/artifacts/art_missing/status`,
      body: { status: 'final' },
      status: 404,
      code: 'artifacts.not_found',
    },
    {
      name: 'status with an unknown value',
      method: 'POST',
      url: () => `/api/sessions/${sessionId}/artifacts/${finalId}/status`,
      body: { status: 'approved' },
      status: 400,
      code: 'request.invalid',
    },
    {
      name: 'status moving backwards',
      method: 'POST',
      url: () => `/api/sessions/${sessionId}/artifacts/${finalId}/status`,
      body: { status: 'in-review' },
      status: 409,
      code: 'artifacts.status_regression',
    },
  ];

  it.each(cases)('$name → $status $code', async (bad) => {
    await expectRefused(server, token, bad, TABLES);
  });

  it('answers 413 request.body_too_large beyond the 35 MiB body cap of the upload route', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: `/api/sessions/${sessionId}/artifacts`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify(upload({ dataBase64: 'A'.repeat(36 * 1024 * 1024) })),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ code: 'request.body_too_large' });
  });

  it('reads return 404 for unknown sessions and artifacts', async () => {
    const get = (url: string) => server.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    expect((await get('/api/sessions/ses_missing/artifacts')).json()).toMatchObject({ code: 'sessions.not_found' });
    expect((await get(`/api/sessions/${sessionId}/artifacts/art_missing`)).json()).toMatchObject({ code: 'artifacts.not_found' });
  });
});
