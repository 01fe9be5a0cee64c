import type { ChannelDeliveryRecord } from '@open-cowork/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, mintClient } from '../e2e/harness.js';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';
import { bindingWithDeliveries, createDeliveryAgent } from '../helpers/deliveries.js';
import { subscribe } from '../helpers/sse.js';

let server: TestServer;
let admin: Client;

beforeAll(async () => {
  // Exactly as many deliveries an hour as the tests create: a retry counted twice would stall them.
  server = await startTestServer({ config: { billing: { quotas: { gatewayDeliveriesPerHour: 31 } } } });
  Object.assign(server.app.channels.streams.settings, { pollMs: 100, maxAttempts: 3, retryBaseMs: 1000, retryMaxMs: 4000 });
  admin = await mintClient(server, ['admin']);
  await createDeliveryAgent(admin);
});
afterAll(() => server.close());

/** A binding with `count` deliveries `d-00…`, and the headers of a gateway granted it. */
async function setup(count: number) {
  const { bindingId, gatewayToken } = await bindingWithDeliveries(server, admin, count);
  return { bindingId, headers: { authorization: `Bearer ${gatewayToken}`, 'content-type': 'application/json' } };
}

/** A gateway: its stream and a sequential handler for each delivery it receives. */
async function gateway(headers: Record<string, string>, query: string, handle: (delivery: ChannelDeliveryRecord) => Promise<void>) {
  const stream = await subscribe(`${server.baseUrl}/api/channels/deliveries/stream?${query}`, headers);
  let handled = 0;
  let queue = Promise.resolve();
  const timer = setInterval(() => {
    for (const frame of stream.frames.slice(handled)) {
      handled += 1;
      if (frame.event === 'channel.delivery')
        queue = queue.then(() => handle((frame.data as { delivery: ChannelDeliveryRecord }).delivery));
    }
  }, 10);
  // Also waits for the handlers already queued, so none is still calling the server when it closes.
  const close = () => {
    clearInterval(timer);
    stream.close();
    return queue;
  };
  return { stream, close };
}

const post = (headers: Record<string, string>, path: string, body: unknown) =>
  fetch(`${server.baseUrl}${path}`, { method: 'POST', headers, body: JSON.stringify(body) }).then((response) => response.json());

describe('deliveries that cannot jam', () => {
  it('a delivery the receiver always refuses backs off, is dead-lettered with the last error, and delays no other; retries never count against the quota again', async () => {
    const { bindingId, headers } = await setup(11);
    const attempts: number[] = [];
    const gw = await gateway(headers, 'claimedBy=gw', async (delivery) => {
      const refused = delivery.deliveryId === 'd-00';
      if (refused) attempts.push(Date.now());
      await post(
        headers,
        `/api/channels/deliveries/${delivery.deliveryId}/ack`,
        refused ? { status: 'failed', claimedBy: 'gw', lastError: `HTTP 500 #${attempts.length}` } : { status: 'sent', claimedBy: 'gw' },
      );
    });
    const all = () => admin.listChannelDeliveries({ channelBindingId: bindingId, limit: 100 });
    let deliveries: ChannelDeliveryRecord[] = [];
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      deliveries = await all();
      if (deliveries.find((delivery) => delivery.deliveryId === 'd-00')?.status === 'dead') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await gw.close();
    const poison = deliveries.find((delivery) => delivery.deliveryId === 'd-00')!;
    expect(poison).toMatchObject({ status: 'dead', attemptCount: 3, lastError: 'HTTP 500 #3' });
    expect(attempts).toHaveLength(3);
    // Backoff: base 1 s, doubling, at least half of it each time.
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(500);
    expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(1000);
    // The others did not wait for the poison: the server recorded each of them sent, first time,
    // before it dead-lettered the poison (its clock, so the test's own delays do not count).
    const others = deliveries.filter((delivery) => delivery.deliveryId !== 'd-00');
    expect(others.map(({ status, attemptCount }) => ({ status, attemptCount }))).toEqual(
      Array(10).fill({ status: 'sent', attemptCount: 1 }),
    );
    const lastSent = Math.max(...others.map((delivery) => Date.parse(delivery.updatedAt)));
    expect(lastSent).toBeLessThan(Date.parse(poison.updatedAt));
    expect(gw.stream.frames.filter((frame) => frame.event === 'error')).toEqual([]);
  }, 60_000);

  it('two gateways whose handler takes more than a tenth of the lease deliver nothing twice: each asks only for what it prefetches, and a renewal covers every lease it holds', async () => {
    const { bindingId, headers } = await setup(20);
    const handledBy = new Map<string, string[]>();
    const leaseMs = 1000;
    const start = (name: string) =>
      gateway(headers, `claimedBy=${name}&ttlMs=${leaseMs}&prefetch=8`, async (delivery) => {
        // Like the example gateway: renew the lease of the delivery being handled, then do the slow work.
        const renewed = (await post(headers, `/api/channels/deliveries/${delivery.deliveryId}/renew`, {
          claimedBy: name,
          ttlMs: leaseMs,
        })) as { delivery?: unknown };
        if (!renewed.delivery) return;
        handledBy.set(delivery.deliveryId, [...(handledBy.get(delivery.deliveryId) ?? []), name]);
        await new Promise((resolve) => setTimeout(resolve, 150));
        await post(headers, `/api/channels/deliveries/${delivery.deliveryId}/ack`, { status: 'sent', claimedBy: name });
      });
    const [a, b] = await Promise.all([start('gw-a'), start('gw-b')]);
    const deadline = Date.now() + 30_000;
    while ((await admin.listChannelDeliveries({ channelBindingId: bindingId, status: 'sent', limit: 100 })).length < 20) {
      if (Date.now() > deadline) throw new Error('not every delivery was sent');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await Promise.all([a.close(), b.close()]);
    expect([...handledBy.values()].filter((names) => names.length > 1)).toEqual([]);
    expect(handledBy.size).toBe(20);
  }, 60_000);
});
