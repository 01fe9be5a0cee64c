import type { TestServer } from '@open-cowork/test-support/server';
import type { Client } from '../e2e/harness.js';

/** The headless agent the delivery tests bind: create it once per server with `createDeliveryAgent`. */
const AGENT_ID = 'ag-1';

export const createDeliveryAgent = (admin: Client) => admin.createHeadlessAgent({ name: 'Helper', agentId: AGENT_ID });

let bindings = 0;

/**
 * A fresh webhook binding `cb-<n>` with `count` pending deliveries `d-00…`, and a gateway token
 * granted only that binding (the deliveries of other tests stay out of its stream).
 */
export async function bindingWithDeliveries(
  server: TestServer,
  admin: Client,
  count: number,
): Promise<{ bindingId: string; gatewayToken: string }> {
  bindings += 1;
  const bindingId = `cb-${bindings}`;
  await admin.createChannelBinding({ agentId: AGENT_ID, provider: 'webhook', displayName: 'Hook', bindingId });
  for (let n = 0; n < count; n += 1) {
    await admin.createChannelDelivery({
      agentId: AGENT_ID,
      channelBindingId: bindingId,
      provider: 'webhook',
      target: { url: 'x' },
      eventType: 'assistant.message',
      payload: { n },
      deliveryId: `d-${String(n).padStart(2, '0')}`,
    });
  }
  return { bindingId, gatewayToken: await server.mintToken(['gateway'], { channelBindingIds: [bindingId] }) };
}
