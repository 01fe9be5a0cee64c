import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RuntimeHost } from '../../src/runtime/adapter.js';
import { createAuditService } from '../../src/services/audit.js';
import { createEventBus } from '../../src/services/event-bus.js';
import { createEventService } from '../../src/services/events.js';
import { createRuntimeService } from '../../src/services/runtime.js';
import { createSessionService, type SessionCaller } from '../../src/services/sessions.js';
import type { Db, Queryable } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { openDb } from '../../src/store/open.js';
import { createStores } from '../../src/store/stores.js';
import { createTestTarget, engines } from '@open-cowork/test-support/db';

describe.each(engines)('runtime service (%s)', (engine) => {
  let db: Db;
  let drop: () => Promise<void>;
  let close: () => Promise<void>;
  let caller: SessionCaller;
  const stores = createStores({ sessionIdleMs: 60_000 });
  /** Runs one turn of `body` for a pending prompt of a new session, settling the prompt with `settle`; `types` are the turn's events. */
  let runTurn: (
    body: (host: RuntimeHost, commandStatus: () => Promise<string>) => Promise<void>,
    settle: (tx: Queryable, commandId: string) => Promise<void>,
  ) => Promise<{ outcome: string; settled: boolean; types: string[] }>;

  beforeAll(async () => {
    const target = await createTestTarget(engine);
    drop = target.drop;
    db = await openDb(target.target);
    await migrate(db);
    const org = await stores.tenants.ensureOrg(db, { slug: 'runtime', name: 'Runtime' });
    const user = await stores.tenants.ensureUser(db, { email: 'runtime@example.com' });
    caller = { tenantId: org.orgId, userId: user.userId };
    const bus = await createEventBus(db);
    close = () => bus.close();
    const events = createEventService({ db, sessions: stores.sessions, events: stores.events, bus });
    const audit = createAuditService({ db, store: stores.audit });
    const sessionService = createSessionService({ db, sessions: stores.sessions, snapshots: stores.snapshots, events, audit });
    const logger = { error: () => undefined };

    runTurn = async (body, settle) => {
      const { sessionId } = (await sessionService.create(caller, {})).session;
      const commandId = `cmd_${sessionId}`;
      await db.transaction((tx) =>
        stores.commands.insert(tx, {
          commandId,
          ...caller,
          sessionId,
          kind: 'prompt',
          payload: { text: 'hello' },
          status: 'pending',
          createdSequence: 1,
          createdAt: new Date().toISOString(),
          ackedAt: null,
        }),
      );
      const commandStatus = async () =>
        (await db.query<{ status: string }>('SELECT status FROM session_commands WHERE command_id = $1', [commandId])).rows[0]!.status;
      const adapter = {
        name: 'test',
        description: 'A turn the test writes.',
        runTurn: (_turn: unknown, host: RuntimeHost) => body(host, commandStatus),
      };
      const runtime = createRuntimeService({ db, adapter, events, eventsStore: stores.events, bus, logger });
      const turn = { ...caller, sessionId, commandId, text: 'hello', agent: null, startSequence: 1 };
      const result = await runtime.run(turn, { stop: new AbortController().signal, settle: (tx) => settle(tx, commandId) });
      const types = (await stores.events.listSessionEvents(db, sessionId, 1, 100)).map((event) => event.type);
      return { outcome: result.outcome, settled: result.settled, types };
    };
  });
  afterAll(async () => {
    await close();
    await db.close();
    await drop();
  });

  it("acknowledges a prompt in the commit of its turn's session.idle, before the runtime returns", async () => {
    let statusAfterIdle = '';
    const result = await runTurn(
      async (host, commandStatus) => {
        await host.emit('session.status', { statusType: 'busy' });
        expect(await commandStatus()).toBe('pending');
        await host.emit('session.idle', {});
        statusAfterIdle = await commandStatus();
      },
      (tx, commandId) => stores.commands.settle(tx, commandId, { status: 'acked' }),
    );
    expect(statusAfterIdle).toBe('acked');
    expect(result).toEqual({ outcome: 'completed', settled: true, types: ['session.status', 'session.idle'] });
  });

  it('stores no session.idle when the acknowledgement fails: the two commit together or not at all', async () => {
    const result = await runTurn(
      async (host) => {
        await host.emit('session.status', { statusType: 'busy' });
        await host.emit('session.idle', {});
      },
      async () => {
        throw new Error('the acknowledgement failed');
      },
    );
    expect(result).toEqual({ outcome: 'failed', settled: false, types: ['session.status'] });
  });
});
