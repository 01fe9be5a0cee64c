#!/usr/bin/env node
/**
 * Prepares the local cloud for the gateway example, with the owner's token and the client: a
 * headless agent, a `webhook` channel binding, a gateway token granted only that binding, and one
 * sample delivery. Running it again reuses the agent and the binding, and adds a token and a delivery.
 *
 *   OPEN_COWORK_CLOUD_URL=http://127.0.0.1:8787 OPEN_COWORK_CLOUD_TOKEN=occ_tok_… \
 *   node examples/gateway-service-token/setup.mjs
 *
 * It prints the gateway token as a shell line to paste: `export OPEN_COWORK_GATEWAY_TOKEN=…`.
 */
import { createHttpSseCloudTransportAdapter, isCloudTransportError } from '@open-cowork/cloud-client';

const baseUrl = process.env.OPEN_COWORK_CLOUD_URL ?? 'http://127.0.0.1:8787';
const ownerToken = process.env.OPEN_COWORK_CLOUD_TOKEN;
if (!ownerToken) {
  process.stderr.write('Set OPEN_COWORK_CLOUD_TOKEN to the local token `npm start` printed.\n');
  process.exit(2);
}
const AGENT_ID = 'ag-gateway-example';
const BINDING_ID = 'cb-gateway-example';
const cloud = createHttpSseCloudTransportAdapter({ baseUrl, headers: { authorization: `Bearer ${ownerToken}` } });

/** Creates, or keeps what an earlier run created (409: the id is taken). */
async function ensure(create) {
  try {
    await create();
  } catch (error) {
    if (!(isCloudTransportError(error) && error.status === 409)) throw error;
  }
}

try {
  await ensure(() => cloud.createHeadlessAgent({ agentId: AGENT_ID, name: 'Gateway example' }));
  await ensure(() =>
    cloud.createChannelBinding({ bindingId: BINDING_ID, agentId: AGENT_ID, provider: 'webhook', displayName: 'Gateway example webhook' }),
  );
  const { plaintext } = await cloud.issueApiToken({ name: 'gateway example', scopes: ['gateway'], channelBindingIds: [BINDING_ID] });
  const delivery = await cloud.createChannelDelivery({
    agentId: AGENT_ID,
    channelBindingId: BINDING_ID,
    provider: 'webhook',
    target: { channel: 'example' },
    eventType: 'assistant.message',
    payload: { text: 'Hello from the gateway example' },
    deliveryId: `sample-${Date.now()}`,
  });
  process.stdout.write(
    [
      `agent ${AGENT_ID}, binding ${BINDING_ID}, sample delivery ${delivery.deliveryId} (${delivery.status})`,
      `export OPEN_COWORK_GATEWAY_TOKEN=${plaintext}`,
      '',
    ].join('\n'),
  );
} catch (error) {
  process.stderr.write(
    `Setup failed: ${isCloudTransportError(error) ? `${error.status ?? ''} ${error.code ?? error.kind}: ` : ''}${error.message}\n`,
  );
  process.exit(1);
}
