import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { RuntimeAdapter } from '../runtime/adapter.js';
import { createOpenCodeRuntime } from '../runtime/opencode.js';
import { createScriptedRuntime } from '../runtime/scripted.js';
import { createStreamEngine, type StreamEngine } from '../streams/engine.js';
import { createSequencedStreams, type SequencedStreams } from '../streams/sequenced.js';
import { accountCommandObserver } from './account.js';
import { createProviderKeys } from './byok.js';
import { type CommandService, createCommandService } from './commands.js';
import { createEventBus, type EventBus } from './event-bus.js';
import { createEventService, type EventService } from './events.js';
import { createRuntimeService, type RuntimeService } from './runtime.js';
import { createSessionService, type SessionService } from './sessions.js';

declare module 'fastify' {
  interface FastifyInstance {
    eventBus: EventBus;
    sessionEvents: EventService;
    sessionService: SessionService;
    commands: CommandService;
    runtime: RuntimeService;
    /** The SSE engine and its sequenced (session, workspace) streams. */
    streams: SequencedStreams & { engine: StreamEngine };
  }
}

export interface SessionServicesOptions {
  /** The runtime that answers prompts; default: the deterministic `scripted` runtime. */
  runtime?: RuntimeAdapter | undefined;
}

/** The runtime `--runtime` chose: scripted, or OpenCode with the org's BYOK key (a worker process builds it the same way). */
function configuredRuntime(app: FastifyInstance): RuntimeAdapter {
  const { runtime, byok } = app.config;
  if (runtime.kind === 'scripted') return createScriptedRuntime();
  return createOpenCodeRuntime({
    ...runtime,
    model: runtime.model!,
    providerKey: createProviderKeys({ db: app.db, store: app.stores.byok, serverKey: byok.key }),
    logger: app.log,
  });
}

/**
 * The services of sessions, commands, runtime and event streams, shared as decorators. On close,
 * streams end first; the bus stops listening once the runtime workers (`services/workers.ts`)
 * have drained, and before the store closes.
 */
async function sessionServicesPlugin(app: FastifyInstance, options: SessionServicesOptions) {
  const { db, stores } = app;
  const eventBus = await createEventBus(db);
  const sessionEvents = createEventService({ db, sessions: stores.sessions, events: stores.events, bus: eventBus });
  const runtime = createRuntimeService({
    db,
    adapter: options.runtime ?? configuredRuntime(app),
    events: sessionEvents,
    eventsStore: stores.events,
    bus: eventBus,
    logger: app.log,
  });
  const engine = createStreamEngine(app.config.sse);
  const streams = { ...createSequencedStreams(engine), engine };

  app.decorate('eventBus', eventBus);
  app.decorate('sessionEvents', sessionEvents);
  app.decorate('runtime', runtime);
  app.decorate('streams', streams);
  app.decorate(
    'sessionService',
    createSessionService({ db, sessions: stores.sessions, snapshots: stores.snapshots, events: sessionEvents, audit: app.audit }),
  );
  app.decorate(
    'commands',
    createCommandService({
      db,
      idempotent: app.idempotent,
      sessions: stores.sessions,
      commands: stores.commands,
      events: sessionEvents,
      observer: accountCommandObserver(app),
    }),
  );

  app.addHook('preClose', async () => engine.close());
  app.addHook('onClose', () =>
    eventBus.close().catch((error: unknown) => app.log.warn({ err: error }, 'could not stop listening for events')),
  );
}

export const sessionServices = fp(sessionServicesPlugin, {
  name: 'session-services',
  dependencies: ['store', 'idempotency', 'account-services'],
});
