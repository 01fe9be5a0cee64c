import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditService } from '../../src/services/audit.js';
import { createEventService, TurnAbortedError, type EventService } from '../../src/services/events.js';
import { createSessionService, type SessionCaller } from '../../src/services/sessions.js';
import type { Db } from '../../src/store/db.js';
import { createEventsStore, type EventsStore } from '../../src/store/events.js';
import { createAuditStore } from '../../src/store/audit.js';
import { migrate } from '../../src/store/migrate.js';
import { openDb } from '../../src/store/open.js';
import { createSessionsStore, createSnapshotsStore, type SessionsStore } from '../../src/store/sessions.js';
import { createTenantStore } from '../../src/store/tenants.js';
import { createTestTarget, engines } from '@open-cowork/test-support/db';

describe.each(engines)('event service (%s)', (engine) => {
  let db: Db;
  let drop: () => Promise<void>;
  let caller: SessionCaller;
  let sessions: SessionsStore;
  let events: EventsStore;
  let service: EventService;
  let newSession: () => Promise<string>;

  beforeAll(async () => {
    const target = await createTestTarget(engine);
    drop = target.drop;
    db = await openDb(target.target);
    await migrate(db);
    const tenants = createTenantStore();
    const org = await tenants.ensureOrg(db, { slug: 'events', name: 'Events' });
    const user = await tenants.ensureUser(db, { email: 'events@example.com' });
    caller = { tenantId: org.orgId, userId: user.userId };
    sessions = createSessionsStore();
    events = createEventsStore();
    service = createEventService({ db, sessions, events });
    const audit = createAuditService({ db, store: createAuditStore() });
    const sessionService = createSessionService({ db, sessions, snapshots: createSnapshotsStore(), events: service, audit });
    newSession = async () => (await sessionService.create(caller, {})).session.sessionId;
  });
  afterAll(async () => {
    await db.close();
    await drop();
  });

  it('gives concurrent appends contiguous, unique session and workspace sequences', async () => {
    const [a, b] = [await newSession(), await newSession()];
    const { latest: workspaceBefore } = await events.workspaceBounds(db, caller.tenantId, caller.userId);
    const drafts = [
      { type: 'session.status' as const, payload: { statusType: 'busy' } },
      { type: 'assistant.message' as const, payload: { messageId: 'm', content: 'x', mode: 'append' } },
    ];
    await Promise.all(Array.from({ length: 20 }, (_, n) => service.append(n % 2 ? a : b, drafts)));

    for (const sessionId of [a, b]) {
      const stored = await events.listSessionEvents(db, sessionId, 0, 1000);
      expect(stored.map((event) => event.sequence)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
      expect((await sessions.getProjection(db, sessionId))?.sequence).toBe(21);
      expect((await sessions.getProjection(db, sessionId))?.view).toMatchObject({ messages: [{ content: 'x'.repeat(10) }] });
    }
    const workspace = await events.listWorkspaceEvents(db, caller.tenantId, caller.userId, workspaceBefore, 1000);
    expect(workspace.map((event) => event.sequence)).toEqual(Array.from({ length: 40 }, (_, i) => workspaceBefore + i + 1));
  });

  it('leaves no gap when an append rolls back', async () => {
    const sessionId = await newSession();
    await expect(
      db.transaction(async (tx) => {
        await service.appendLocked(tx, (await sessions.lock(tx, sessionId))!, [{ type: 'session.idle', payload: {} }]);
        throw new Error('crash before commit');
      }),
    ).rejects.toThrow('crash before commit');
    const { events: appended } = await service.append(sessionId, [{ type: 'session.idle', payload: {} }]);
    expect(appended.map((event) => event.sequence)).toEqual([2]);
    expect((await events.listSessionEvents(db, sessionId, 0, 10)).map((event) => event.sequence)).toEqual([1, 2]);
  });

  it("refuses a turn's appends once the session was aborted after the turn started", async () => {
    const sessionId = await newSession();
    await service.append(sessionId, [{ type: 'session.aborted', payload: {} }]);
    await expect(service.append(sessionId, [{ type: 'session.idle', payload: {} }], { turnStartedAt: 1 })).rejects.toBeInstanceOf(
      TurnAbortedError,
    );
    await expect(service.append(sessionId, [{ type: 'session.idle', payload: {} }], { turnStartedAt: 2 })).resolves.toBeTruthy();
  });

  it('strips object-store keys from artifact events and mirrors them as artifact entities', async () => {
    const sessionId = await newSession();
    const { notice } = await service.append(sessionId, [
      { type: 'artifact.created', payload: { artifactId: 'art_1', filename: 'a.md', key: 'secret/key' } },
    ]);
    const [stored] = await events.listSessionEvents(db, sessionId, 1, 10);
    expect(stored!.payload).toEqual({ artifactId: 'art_1', filename: 'a.md' });
    const [mirror] = await events.listWorkspaceEvents(db, caller.tenantId, caller.userId, notice.workspaceSequence - 1, 10);
    expect(mirror).toMatchObject({ entityType: 'artifact', entityId: 'art_1', operation: 'create', projectionVersion: 2 });
  });
});
