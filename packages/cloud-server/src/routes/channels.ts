import type { FastifyInstance } from 'fastify';
import { channelDeliveryRoutes } from './channels/deliveries.js';
import { channelInboundRoutes } from './channels/inbound.js';
import { channelSessionRoutes } from './channels/sessions.js';
import { channelSetupRoutes } from './channels/setup.js';

/**
 * The gateway / headless-agent plane, in four parts: setup (providers,
 * agents, bindings, identities), chat sessions, inbound traffic (provider events, interactions)
 * and the outbound delivery queue. Each calls its service of `app.channels` (services/channels.ts),
 * which apply the access rules: gateway tokens act only on the channel bindings they were granted.
 */
export async function channelRoutes(app: FastifyInstance) {
  await app.register(channelSetupRoutes);
  await app.register(channelSessionRoutes);
  await app.register(channelInboundRoutes);
  await app.register(channelDeliveryRoutes);
}
