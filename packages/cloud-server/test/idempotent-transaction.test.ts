import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queryable } from '../src/store/db.js';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';

let server: TestServer;
let headers: Record<string, string>;

beforeAll(async () => {
  server = await startTestServer();
  headers = { authorization: `Bearer ${await server.mintToken(['admin'])}`, 'content-type': 'application/json' };
});
afterAll(() => server.close());

const createAgent = (key: string, name = 'Helper') =>
  fetch(`${server.baseUrl}/api/channels/agents`, {
    method: 'POST',
    headers: { ...headers, 'idempotency-key': key },
    body: JSON.stringify({ name }),
  });
const agentsNamed = async (name: string) =>
  (await server.db.query('SELECT agent_id FROM headless_agents WHERE name = $1', [name])).rows.length;

describe("Idempotency-Key inside the handler's transaction", () => {
  it('a retry after a crash between the commit and the reply gets the stored reply; the handler never runs twice', async () => {
    const { db } = server.app;
    const transaction = db.transaction;
    // The process "dies" right after the commit: the reply never leaves.
    db.transaction = async (work) => {
      db.transaction = transaction;
      await transaction.call(db, work);
      throw new Error('crashed after the commit');
    };
    const crashed = await createAgent('k-crash', 'Crash');
    expect(crashed.status).toBe(500);
    expect(await agentsNamed('Crash')).toBe(1);

    const retry = await createAgent('k-crash', 'Crash');
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await agentsNamed('Crash')).toBe(1);
    // The stored reply is the one the crashed request would have sent.
    const { agent } = (await retry.json()) as { agent: { agentId: string } };
    expect((await server.db.query('SELECT agent_id FROM headless_agents WHERE name = $1', ['Crash'])).rows[0]).toEqual({
      agent_id: agent.agentId,
    });
  });

  it('a prompt retried after a crash between the commit and the reply is answered from the stored reply and queued once', async () => {
    const desktop = { authorization: `Bearer ${await server.mintToken(['desktop'])}`, 'content-type': 'application/json' };
    const created = await fetch(`${server.baseUrl}/api/sessions`, { method: 'POST', headers: desktop, body: '{}' });
    const { session } = (await created.json()) as { session: { sessionId: string } };
    const prompt = () =>
      fetch(`${server.baseUrl}/api/sessions/${session.sessionId}/prompt`, {
        method: 'POST',
        headers: { ...desktop, 'idempotency-key': 'k-prompt-crash' },
        body: JSON.stringify({ text: 'Once' }),
      });
    const { db } = server.app;
    const original = db.transaction;
    const transaction = original.bind(db);
    // The process "dies" right after the prompt's transaction commits (workers share `db`, so only
    // the transaction that answers a command crashes).
    db.transaction = async <T>(work: (tx: Queryable) => Promise<T>): Promise<T> => {
      const result = await transaction(work);
      if ((result as { body?: { command?: unknown } } | null)?.body?.command) {
        db.transaction = original;
        throw new Error('crashed after the commit');
      }
      return result;
    };
    const crashed = await prompt();
    expect(crashed.status).toBe(500);

    const retry = await prompt();
    expect(retry.status).toBe(202);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const { command, processed } = (await retry.json()) as { command: { commandId: string; status: string }; processed: number };
    expect(command.status).toBe('pending');
    expect(processed).toBe(0);
    const commands = async () =>
      (
        await server.db.query<{ command_id: string; status: string }>(
          'SELECT command_id, status FROM session_commands WHERE session_id = $1',
          [session.sessionId],
        )
      ).rows;
    expect((await commands()).map((row) => row.command_id)).toEqual([command.commandId]);

    // A worker runs it (on its poll: the crashed request never sent the wake-up), once.
    const deadline = Date.now() + 60_000;
    while ((await commands())[0]!.status !== 'acked' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await commands()).toEqual([{ command_id: command.commandId, status: 'acked' }]);
    const submitted = await server.db.query("SELECT 1 FROM session_events WHERE session_id = $1 AND type = 'prompt.submitted'", [
      session.sessionId,
    ]);
    expect(submitted.rows).toHaveLength(1);
  }, 90_000);

  it('concurrent duplicates run the handler once: the others wait for its commit and replay it', async () => {
    const answers = await Promise.all([1, 2, 3].map(() => createAgent('k-race', 'Race')));
    const bodies = await Promise.all(answers.map((answer) => answer.json()));
    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201]);
    expect(answers.filter((answer) => answer.headers.get('idempotent-replayed') === 'true')).toHaveLength(2);
    expect(new Set(bodies.map((body) => JSON.stringify(body))).size).toBe(1);
    expect(await agentsNamed('Race')).toBe(1);
  });

  it('a failed handler leaves neither its writes nor the key, and another request under the key is refused', async () => {
    const refused = await fetch(`${server.baseUrl}/api/channels/agents`, {
      method: 'POST',
      headers: { ...headers, 'idempotency-key': 'k-fix' },
      body: JSON.stringify({ name: '' }),
    });
    expect(refused.status).toBe(400);
    expect((await createAgent('k-fix', 'Fixed')).status).toBe(201);
    const reused = await createAgent('k-fix', 'Other');
    expect(reused.status).toBe(409);
    expect(await reused.json()).toMatchObject({ code: 'idempotency.key_reused' });
  });
});
