import type { CloudTransportError } from '@open-cowork/cloud-client';
import type { ChannelDeliveryRecord } from '@open-cowork/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresSchema, engines, type PostgresSchema, postgresAvailable } from '@open-cowork/test-support/db';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';
import { bindingWithDeliveries, createDeliveryAgent } from '../helpers/deliveries.js';
import { type Client, clientFor, mintClient, sleep, waitFor } from './harness.js';

interface Setup {
  server: TestServer;
  admin: Client;
  gatewayToken: string;
  bindingId: string;
}

/** A server with fast stream polling and one headless agent. */
async function startServer(engine: 'pglite' | 'postgres', config: Parameters<typeof startTestServer>[0] = {}) {
  const server = await startTestServer({ engine, ...config });
  Object.assign(server.app.channels.streams.settings, { prefetch: 4, pollMs: 100 });
  const admin = await mintClient(server, ['admin']);
  await createDeliveryAgent(admin);
  return { server, admin };
}

/** A fresh binding with `count` pending deliveries on `base`'s server. */
async function setup(base: { server: TestServer; admin: Client }, count: number): Promise<Setup> {
  return { ...base, ...(await bindingWithDeliveries(base.server, base.admin, count)) };
}

describe.each(engines)('delivery stream leases and failover (%s)', (engine) => {
  let base: { server: TestServer; admin: Client };
  beforeAll(async () => {
    base = await startServer(engine);
  });
  afterAll(() => base.server.close());

  it('two gateways on one stream, one killed mid-lease: every delivery acked, none lost, redelivered only after the lease', async () => {
    const { server, admin, gatewayToken, bindingId } = await setup(base, 20);
    // Long enough that a loaded machine closes A before its lease lapses (A would re-claim its own
    // deliveries then, as a third attempt), short enough to keep the test quick.
    const leaseMs = 5_000;

    // Gateway A claims but dies before acking anything.
    const gotA: { delivery: ChannelDeliveryRecord; at: number }[] = [];
    const a = clientFor(server.baseUrl, gatewayToken);
    const subA = a.subscribeChannelDeliveries({
      claimedBy: 'gw-a',
      ttlMs: leaseMs,
      onDelivery: (delivery) => gotA.push({ delivery, at: Date.now() }),
    });

    // Gateway B acks everything it receives.
    const gotB: { delivery: ChannelDeliveryRecord; at: number }[] = [];
    const errors: CloudTransportError[] = [];
    const b = clientFor(server.baseUrl, gatewayToken);
    const subB = b.subscribeChannelDeliveries({
      claimedBy: 'gw-b',
      ttlMs: 10_000,
      onDelivery(delivery) {
        gotB.push({ delivery, at: Date.now() });
        b.ackChannelDelivery(delivery.deliveryId, { status: 'sent', claimedBy: 'gw-b', channelBindingId: delivery.channelBindingId }).catch(
          (error: CloudTransportError) => errors.push(error),
        );
      },
      onError: (error) => errors.push(error),
    });

    // Flow control: A never acks, so it never holds more than its prefetch.
    await waitFor(() => gotA.length === 4, { timeoutMs: 15_000, what: 'gateway A to hold a full batch' });
    await sleep(400);
    expect(gotA).toHaveLength(4);
    subA.close();

    await waitFor(
      async () => (await admin.listChannelDeliveries({ channelBindingId: bindingId, status: 'sent', limit: 200 })).length === 20,
      { timeoutMs: 20_000, what: 'all 20 deliveries sent' },
    );
    subB.close();
    expect(errors).toEqual([]);

    const all = await admin.listChannelDeliveries({ channelBindingId: bindingId, limit: 200 });
    expect(all.map((delivery) => delivery.status)).toEqual(Array(20).fill('sent'));
    // None lost: B got every delivery, each once.
    const idsB = gotB.map((entry) => entry.delivery.deliveryId).sort();
    expect(idsB).toEqual(all.map((delivery) => delivery.deliveryId).sort());
    // A's deliveries reached B only after A's lease had ended, as a second attempt.
    for (const { delivery } of gotA) {
      const atB = gotB.find((entry) => entry.delivery.deliveryId === delivery.deliveryId)!;
      expect(atB.at).toBeGreaterThanOrEqual(Date.parse(delivery.claimExpiresAt!) - 50);
      expect(atB.delivery.attemptCount).toBe(2);
      expect(atB.delivery.claimedBy).toBe('gw-b');
    }
    // Nobody else's: all others were claimed once.
    expect(gotB.filter((entry) => entry.delivery.attemptCount === 1)).toHaveLength(16);
  }, 60_000);

  it('renewing a lease keeps a slow delivery from being claimed by another gateway', async () => {
    const { server, gatewayToken } = await setup(base, 1);
    const slow = clientFor(server.baseUrl, gatewayToken);
    const got: ChannelDeliveryRecord[] = [];
    // The renewals span more than twice the lease, with a wide margin per renewal so that a slow
    // machine does not let the lease lapse between two of them.
    const ttlMs = 2_500;
    const sub = slow.subscribeChannelDeliveries({ claimedBy: 'slow', ttlMs, onDelivery: (delivery) => got.push(delivery) });
    await waitFor(() => got.length === 1);
    const other: ChannelDeliveryRecord[] = [];
    const otherSub = slow.subscribeChannelDeliveries({ claimedBy: 'other', ttlMs, onDelivery: (delivery) => other.push(delivery) });
    for (let n = 0; n < 7; n += 1) {
      await sleep(800);
      await slow.renewChannelDeliveryLease('d-00', { claimedBy: 'slow', ttlMs });
    }
    expect(other).toEqual([]);
    const acked = await slow.ackChannelDelivery('d-00', { status: 'sent', claimedBy: 'slow' });
    expect(acked.attemptCount).toBe(1);
    sub.close();
    otherSub.close();
  });

  it('a failed ack comes back at nextAttemptAt; the lease length is clamped', async () => {
    const { server, gatewayToken } = await setup(base, 1);
    const gateway = clientFor(server.baseUrl, gatewayToken);
    const got: ChannelDeliveryRecord[] = [];
    const sub = gateway.subscribeChannelDeliveries({ claimedBy: 'gw', ttlMs: 10 ** 12, onDelivery: (delivery) => got.push(delivery) });
    await waitFor(() => got.length === 1);
    expect(Date.parse(got[0]!.claimExpiresAt!) - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    const retryAt = new Date(Date.now() + 700).toISOString();
    await gateway.ackChannelDelivery('d-00', { status: 'failed', claimedBy: 'gw', lastError: 'HTTP 503', nextAttemptAt: retryAt });
    await waitFor(() => got.length === 2);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(retryAt) - 50);
    expect(got[1]).toMatchObject({ deliveryId: 'd-00', attemptCount: 2, lastError: 'HTTP 503' });
    sub.close();
  });
});

describe.each(engines)('delivery stream errors (%s)', (engine) => {
  let base: { server: TestServer; admin: Client };
  beforeAll(async () => {
    base = await startServer(engine, { config: { billing: { quotas: { gatewayDeliveriesPerHour: 2 } } } });
  });
  afterAll(() => base.server.close());

  it('a failing poll (the hourly delivery quota) is reported once, not on every tick', async () => {
    const { server, gatewayToken } = await setup(base, 4);
    const gateway = clientFor(server.baseUrl, gatewayToken);
    const got: ChannelDeliveryRecord[] = [];
    const errors: CloudTransportError[] = [];
    const sub = gateway.subscribeChannelDeliveries({
      claimedBy: 'gw',
      onDelivery(delivery) {
        got.push(delivery);
        void gateway.ackChannelDelivery(delivery.deliveryId, { status: 'sent', claimedBy: 'gw' });
      },
      onError: (error) => errors.push(error),
    });
    await waitFor(() => errors.length > 0);
    await sleep(800);
    sub.close();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ kind: 'sse', code: 'quota.gateway_deliveries_per_hour_exceeded' });
    // The quota let exactly its two claims through.
    expect(got.map((delivery) => delivery.deliveryId)).toEqual(['d-00', 'd-01']);
  });
});

describe.skipIf(!postgresAvailable)('delivery streams on two servers sharing one PostgreSQL', () => {
  let schema: PostgresSchema;
  let one: TestServer;
  let two: TestServer;
  beforeAll(async () => {
    schema = await createPostgresSchema();
    one = await startTestServer({ store: schema.target });
    two = await startTestServer({ store: schema.target });
  });
  afterAll(async () => {
    await two?.close();
    await one?.close();
    await schema?.drop();
  });

  it('a delivery created on one server wakes a stream on the other at once (NOTIFY), and each is claimed once', async () => {
    // Polling is slowed to a minute: only the NOTIFY can deliver within the test.
    Object.assign(two.app.channels.streams.settings, { pollMs: 60_000 });
    Object.assign(one.app.channels.streams.settings, { pollMs: 60_000 });
    const admin = await mintClient(one, ['admin']);
    await admin.createHeadlessAgent({ name: 'Helper', agentId: 'ag-r' });
    await admin.createChannelBinding({ agentId: 'ag-r', provider: 'webhook', displayName: 'Hook', bindingId: 'cb-r' });
    const token = await one.mintToken(['gateway'], { channelBindingIds: ['cb-r'] });
    const got: { via: string; delivery: ChannelDeliveryRecord }[] = [];
    const subscribe = (server: TestServer, via: string) => {
      const client = clientFor(server.baseUrl, token);
      return client.subscribeChannelDeliveries({
        claimedBy: via,
        onDelivery(delivery) {
          got.push({ via, delivery });
          void client.ackChannelDelivery(delivery.deliveryId, { status: 'sent', claimedBy: via });
        },
      });
    };
    const create = async (from: number, to: number) => {
      for (let n = from; n < to; n += 1) {
        await admin.createChannelDelivery({
          agentId: 'ag-r',
          channelBindingId: 'cb-r',
          provider: 'webhook',
          target: {},
          eventType: 'x',
          payload: { n },
          deliveryId: `r-${String(n).padStart(2, '0')}`,
        });
      }
    };
    // Only server two streams: what server one creates must reach it through the database.
    const onTwo = subscribe(two, 'gw-two');
    await sleep(500);
    await create(0, 5);
    await waitFor(() => got.length >= 5, { timeoutMs: 10_000, what: 'five deliveries via server two' });
    expect(got.every((entry) => entry.via === 'gw-two')).toBe(true);
    // Both stream now: every delivery is claimed by exactly one of them.
    const onOne = subscribe(one, 'gw-one');
    await sleep(500);
    await create(5, 15);
    await waitFor(() => got.length >= 15, { timeoutMs: 10_000, what: 'fifteen deliveries' });
    await sleep(300);
    onOne.close();
    onTwo.close();
    expect(got.map((entry) => entry.delivery.deliveryId).sort()).toEqual(
      Array.from({ length: 15 }, (_, n) => `r-${String(n).padStart(2, '0')}`),
    );
  }, 60_000);
});
