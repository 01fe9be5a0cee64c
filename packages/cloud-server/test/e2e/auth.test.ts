import { createHttpSseCloudTransportAdapter } from '@open-cowork/cloud-client';
import type { CloudSessionEvent } from '@open-cowork/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerWithIssuer, startServerWithIssuer, type TestIssuer } from '../helpers/oidc.js';
import type { TestServer } from '@open-cowork/test-support/server';
import { type Client, clientFor, failure, hasType, record } from './harness.js';

const OPERATOR_TOKEN = 'operator-secret-for-the-auth-e2e-test';

let issuer: TestIssuer;
let server: TestServer;
let started: ServerWithIssuer;
beforeAll(async () => {
  started = await startServerWithIssuer({ operatorToken: OPERATOR_TOKEN, admin: { signupMode: 'open' } });
  ({ issuer, server } = started);
});
afterAll(() => started.close());

/** A full turn through the client: create, subscribe, prompt, stream to idle. */
async function runTurn(client: Client): Promise<void> {
  const view = await client.createSession();
  const stream = record<CloudSessionEvent>((handlers) =>
    client.subscribeSessionEvents(view.session.sessionId, { ...handlers, afterSequence: view.projection!.sequence }),
  );
  await client.promptSession(view.session.sessionId, { text: 'auth check' });
  await stream.until(hasType('session.idle'));
  stream.close();
}

describe('the client in each auth mode against the session routes', () => {
  it('bearer OIDC: accepts an access token signed by the issuer, refuses one signed by another key', async () => {
    await runTurn(clientFor(server.baseUrl, await issuer.sign({ sub: 'desk', email: 'desk@example.test' })));
    const forged = clientFor(server.baseUrl, await issuer.sign({ sub: 'desk' }, { foreignKey: true }));
    expect(await failure(forged.listSessions())).toMatchObject({ kind: 'unauthorized', status: 401 });
  });

  it('service token: accepts a desktop token, refuses a revoked one', async () => {
    const token = await server.mintToken(['desktop']);
    await runTurn(clientFor(server.baseUrl, token));
    await server.db.query('UPDATE api_tokens SET revoked_at = now()');
    expect(await failure(clientFor(server.baseUrl, token).createSession())).toMatchObject({ kind: 'unauthorized', status: 401 });
  });

  it('cookie: works with the CSRF token, and commands without it are forbidden', async () => {
    const opened = await fetch(`${server.baseUrl}/auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: await server.mintToken(['desktop'], { email: 'web@example.test' }) }),
    });
    const { csrfToken } = (await opened.json()) as { csrfToken: string };
    const cookie = opened.headers
      .getSetCookie()
      .map((value) => value.split(';')[0])
      .join('; ');
    await runTurn(createHttpSseCloudTransportAdapter({ baseUrl: server.baseUrl, headers: { cookie }, csrfToken }));
    const withoutCsrf = createHttpSseCloudTransportAdapter({ baseUrl: server.baseUrl, headers: { cookie } });
    expect((await withoutCsrf.listSessions()).length).toBe(1);
    expect(await failure(withoutCsrf.createSession())).toMatchObject({ kind: 'forbidden', status: 403, code: 'auth.csrf_invalid' });
  });

  it('operator: the operator token is refused on member routes and streams', async () => {
    const operator = clientFor(server.baseUrl, OPERATOR_TOKEN);
    expect(await failure(operator.listSessions())).toMatchObject({ kind: 'forbidden', status: 403 });
    const stream = record<CloudSessionEvent>((handlers) => operator.subscribeWorkspaceEvents(handlers as never));
    await stream.until(() => stream.errors.length > 0);
    expect(stream.errors[0]).toMatchObject({ kind: 'forbidden', status: 403 });
  });
});
