import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createChannelAccess } from './channel-access.js';
import { type ChannelDeliveryService, createChannelDeliveryService } from './channel-deliveries.js';
import { type ChannelInboundService, createChannelInboundService } from './channel-inbound.js';
import { type ChannelSessionService, createChannelSessionService } from './channel-sessions.js';
import { type ChannelSetupService, createChannelSetupService } from './channel-setup.js';
import { createDeliveryStreams, type DeliveryStreams } from './deliveries.js';

/** The gateway / headless-agent plane, one service per part of it (`routes/channels/`). */
interface ChannelServices {
  /** Providers, headless agents, channel bindings and channel identities. */
  setup: ChannelSetupService;
  /** Chat threads bound to cloud sessions. */
  sessions: ChannelSessionService;
  /** Provider-event claims and interaction tokens. */
  inbound: ChannelInboundService;
  /** The outbound delivery queue and its claiming stream. */
  deliveries: ChannelDeliveryService;
  /** The delivery streams' tunables, which tests shorten. */
  streams: Pick<DeliveryStreams, 'settings'>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The gateway / headless-agent plane: `app.channels.setup`, `.sessions`, `.inbound`, `.deliveries`. */
    channels: ChannelServices;
  }
}

/** The channel services over their stores, sharing one set of access rules (`channel-access.ts`). */
async function channelServicesPlugin(app: FastifyInstance) {
  const { db, stores, commands, idempotent } = app;
  const access = createChannelAccess({ channels: stores.channels, billing: app.billing, audit: app.audit });
  const streams = await createDeliveryStreams({ db, store: stores.channelDeliveries });

  app.decorate('channels', {
    setup: createChannelSetupService({ db, idempotent, channels: stores.channels, tenants: stores.tenants, access }),
    sessions: createChannelSessionService({
      db,
      idempotent,
      channels: stores.channels,
      sessions: stores.sessions,
      sessionEvents: app.sessionEvents,
      artifacts: stores.artifacts,
      sessionService: app.sessionService,
      commands,
      eventBus: app.eventBus,
      access,
    }),
    inbound: createChannelInboundService({
      idempotent,
      inbound: stores.channelInbound,
      channels: stores.channels,
      sessions: stores.sessions,
      commands,
      access,
    }),
    deliveries: createChannelDeliveryService({
      db,
      idempotent,
      deliveries: stores.channelDeliveries,
      channels: stores.channels,
      access,
      streams,
      usage: app.usage,
    }),
    streams,
  });
  app.addHook('preClose', () => streams.close());
}

export const channelServices = fp(channelServicesPlugin, {
  name: 'channel-services',
  dependencies: ['store', 'idempotency', 'account-services', 'session-services'],
});
