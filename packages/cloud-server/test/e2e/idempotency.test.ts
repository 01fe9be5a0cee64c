import { isCloudTransportError, type CloudTransportError } from '@open-cowork/cloud-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '@open-cowork/test-support/db';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';
import { type Client, clientFor } from './harness.js';

async function failure(promise: Promise<unknown>): Promise<CloudTransportError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (reason: unknown) => reason,
  );
  expect(isCloudTransportError(error)).toBe(true);
  return error as CloudTransportError;
}

/**
 * One case per client method: `run(cloud, variant, key)` sends the command with `idempotencyKey`;
 * requests of different variants differ in the body. `rows` counts what the command records.
 */
interface Case {
  method: string;
  run(cloud: Client, variant: string, idempotencyKey: string): Promise<unknown>;
  rows: string;
}

describe.each(engines)('Idempotency-Key through the client over real HTTP (%s)', (engine) => {
  let server: TestServer;
  let cloud: Client;
  let sessionId: string;
  beforeAll(async () => {
    server = await startTestServer({ engine });
    cloud = clientFor(server.baseUrl, await server.mintToken(['desktop', 'admin']));
    sessionId = (await cloud.createSession()).session.sessionId;
  });
  afterAll(() => server.close());

  const count = async (sql: string) => Number((await server.db.query<{ n: string }>(sql)).rows[0]!.n);

  const cases: Case[] = [
    {
      method: 'createWorkflow',
      run: (c, v, idempotencyKey) =>
        c.createWorkflow({ name: `Digest ${v}`, prompt: 'Write it', triggers: [{ type: 'manual' }] }, { idempotencyKey }),
      rows: 'SELECT count(*) AS n FROM workflows',
    },
    {
      method: 'createThreadTag',
      run: (c, v, idempotencyKey) => c.createThreadTag({ name: `Urgent ${v}`, color: '#ff0000' }, { idempotencyKey }),
      rows: 'SELECT count(*) AS n FROM thread_tags',
    },
    {
      method: 'uploadArtifact',
      run: (c, v, idempotencyKey) =>
        c.uploadArtifact(
          sessionId,
          { filename: `report-${v}.md`, contentType: 'text/markdown', dataBase64: Buffer.from('# Report').toString('base64') },
          { idempotencyKey },
        ),
      rows: 'SELECT count(*) AS n FROM artifacts',
    },
    {
      method: 'setSetting',
      // Writing a key twice leaves one row anyway: the audit trail shows whether it ran twice.
      run: (c, v, idempotencyKey) => c.setSetting('theme', { mode: v }, { idempotencyKey }),
      rows: "SELECT count(*) AS n FROM audit_events WHERE action = 'setting.set'",
    },
    {
      method: 'issueApiToken',
      run: (c, v, idempotencyKey) => c.issueApiToken({ name: `ci ${v}`, scopes: ['desktop'] }, { idempotencyKey }),
      rows: 'SELECT count(*) AS n FROM api_tokens',
    },
    {
      method: 'inviteOrgMember',
      run: (c, v, idempotencyKey) => c.inviteOrgMember({ email: `invitee-${v}@example.test`, role: 'member' }, { idempotencyKey }),
      rows: 'SELECT count(*) AS n FROM memberships',
    },
  ];

  it.each(cases)('$method: the same key twice records once and answers the same', async ({ method, run, rows }) => {
    const key = `${method}-same`;
    const before = await count(rows);
    const first = await run(cloud, 'same', key);
    const second = await run(cloud, 'same', key);
    expect(second).toEqual(first);
    expect(await count(rows)).toBe(before + 1);
  });

  it.each(cases)('$method: the same key with another body is a conflict, idempotency.key_reused', async ({ method, run, rows }) => {
    const key = `${method}-reused`;
    await run(cloud, 'first', key);
    const before = await count(rows);
    const error = await failure(run(cloud, 'second', key));
    expect(error.kind).toBe('conflict');
    expect(error.code).toBe('idempotency.key_reused');
    expect(error.status).toBe(409);
    expect(await count(rows)).toBe(before);
  });

  it('replays an issued token that works, and the table holds neither the key nor the secret', async () => {
    const first = await cloud.issueApiToken({ name: 'replayed', scopes: ['desktop'] }, { idempotencyKey: 'token-secret-key' });
    const again = await cloud.issueApiToken({ name: 'replayed', scopes: ['desktop'] }, { idempotencyKey: 'token-secret-key' });
    expect(again.plaintext).toBe(first.plaintext);
    expect((await clientFor(server.baseUrl, again.plaintext).getConfig()).role).toBe('owner');
    const dump = JSON.stringify((await server.db.query('SELECT * FROM idempotent_requests')).rows);
    expect(dump).not.toContain(first.plaintext);
    expect(dump).not.toContain('token-secret-key');
  });

  it('lets the caller fix a refused request and retry it under the same key', async () => {
    const before = await count("SELECT count(*) AS n FROM audit_events WHERE action = 'setting.set'");
    const refused = await failure(cloud.setSetting('fixable', { blob: 'x'.repeat(70_000) }, { idempotencyKey: 'fix-me' }));
    expect(refused.code).toBe('settings.value_too_large');
    const fixed = await cloud.setSetting('fixable', { blob: 'small' }, { idempotencyKey: 'fix-me' });
    expect(fixed.value).toEqual({ blob: 'small' });
    expect(await cloud.setSetting('fixable', { blob: 'small' }, { idempotencyKey: 'fix-me' })).toEqual(fixed);
    expect(await count("SELECT count(*) AS n FROM audit_events WHERE action = 'setting.set'")).toBe(before + 1);
  });
});
