#!/usr/bin/env node
/**
 * A small gateway daemon on the client, with a gateway service token: it claims channel deliveries
 * from the delivery stream, POSTs each to a webhook, acks it (`sent`, or `failed` on a non-2xx),
 * and keeps a state file so that a restart neither loses nor repeats a delivery.
 *
 *   OPEN_COWORK_CLOUD_URL=http://127.0.0.1:8787 OPEN_COWORK_GATEWAY_TOKEN=occ_tok_… \
 *   GATEWAY_WEBHOOK_URL=http://127.0.0.1:9000/hook GATEWAY_STATE_FILE=./gateway-state.json \
 *   GATEWAY_ID=gw-1 node examples/gateway-service-token/gateway.mjs
 *
 * See README.md for the delivery guarantees and the crash windows.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createHttpSseCloudTransportAdapter, isCloudTransportError } from '@open-cowork/cloud-client';

const env = process.env;
const config = {
  baseUrl: env.OPEN_COWORK_CLOUD_URL ?? 'http://127.0.0.1:8787',
  token: env.OPEN_COWORK_GATEWAY_TOKEN,
  webhookUrl: env.GATEWAY_WEBHOOK_URL,
  stateFile: env.GATEWAY_STATE_FILE ?? './gateway-state.json',
  gatewayId: env.GATEWAY_ID ?? 'gateway',
  leaseMs: Number(env.GATEWAY_LEASE_MS ?? 30_000),
  bindingIds: env.GATEWAY_CHANNEL_BINDING_IDS ? env.GATEWAY_CHANNEL_BINDING_IDS.split(',').filter(Boolean) : undefined,
  prefetch: Number(env.GATEWAY_PREFETCH ?? 4),
  webhookTimeoutMs: Number(env.GATEWAY_WEBHOOK_TIMEOUT_MS ?? 10_000),
  maxAttempts: Number(env.GATEWAY_MAX_ATTEMPTS ?? 5),
};
if (!config.token || !config.webhookUrl) {
  process.stderr.write('Set OPEN_COWORK_GATEWAY_TOKEN (a gateway token) and GATEWAY_WEBHOOK_URL.\n');
  process.exit(2);
}

const log = (line) => process.stdout.write(`${new Date().toISOString()} ${config.gatewayId} ${line}\n`);
const client = createHttpSseCloudTransportAdapter({ baseUrl: config.baseUrl, headers: { authorization: `Bearer ${config.token}` } });

/** A refused token does not get better by retrying: say so and stop instead of looping. */
function exitIfRefused(error) {
  if (!isCloudTransportError(error) || (error.status !== 401 && error.status !== 403)) return;
  process.stderr.write(
    error.status === 401
      ? `The cloud refused OPEN_COWORK_GATEWAY_TOKEN (401 ${error.code ?? ''}): it is unknown, revoked or expired. Create a new one (setup.mjs) and restart.\n`
      : `OPEN_COWORK_GATEWAY_TOKEN may not claim deliveries (403 ${error.code ?? ''}): it needs the gateway scope and a grant on the channel binding.\n`,
  );
  process.exit(1);
}

/** When a failed delivery may be tried again: 2 s after the first attempt, doubling, at most 5 min. */
const retryAt = (attempt) => new Date(Date.now() + Math.min(300_000, 2_000 * 2 ** (attempt - 1))).toISOString();

// ---------------------------------------------------------------- the state file
// `delivered[key]` records the webhook's answer for a delivery, written before the ack: a delivery
// redelivered after a crash between the POST and the ack is acked from here, never POSTed again.
// Entries of `sent` deliveries are kept (the newest MAX_REMEMBERED), `failed` and `dead` ones are dropped once
// acked, because the cloud retries those on purpose.
const MAX_REMEMBERED = 10_000;
const keyOf = (delivery) => `${delivery.channelBindingId} ${delivery.deliveryId}`;

async function loadState() {
  try {
    const state = JSON.parse(await readFile(config.stateFile, 'utf8'));
    return { delivered: state.delivered ?? {} };
  } catch (error) {
    if (error.code === 'ENOENT') return { delivered: {} };
    throw error;
  }
}

const state = await loadState();

/** Writes the state atomically: a crash leaves the old file or the new one, never half of one. */
async function saveState() {
  const keys = Object.keys(state.delivered);
  for (const key of keys.slice(0, Math.max(0, keys.length - MAX_REMEMBERED))) delete state.delivered[key];
  await mkdir(dirname(config.stateFile), { recursive: true });
  const temporary = `${config.stateFile}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(state), { flush: true });
  await rename(temporary, config.stateFile);
}

// ---------------------------------------------------------------- one delivery

/** POSTs the delivery to the webhook; resolves to `{status: 'sent'|'failed', lastError}`. */
async function post(delivery) {
  try {
    const response = await fetch(config.webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': delivery.deliveryId,
        'x-open-cowork-delivery-id': delivery.deliveryId,
      },
      body: JSON.stringify({ delivery }),
      signal: AbortSignal.timeout(config.webhookTimeoutMs),
    });
    await response.arrayBuffer();
    return response.ok ? { status: 'sent', lastError: null } : { status: 'failed', lastError: `Webhook answered HTTP ${response.status}.` };
  } catch (error) {
    return { status: 'failed', lastError: `Webhook unreachable: ${error.message}` };
  }
}

// Every delivery this daemon holds a lease on, from its claim to its ack: the ones waiting in the
// queue as well as the one in hand. All their leases are renewed, so none runs out while it waits.
const held = new Map();
setInterval(
  () => {
    for (const delivery of held.values()) {
      client
        .renewChannelDeliveryLease(delivery.deliveryId, {
          claimedBy: config.gatewayId,
          ttlMs: config.leaseMs,
          channelBindingId: delivery.channelBindingId,
        })
        .catch((error) => {
          exitIfRefused(error);
          log(`renew ${delivery.deliveryId} failed: ${error.message}`);
        });
    }
  },
  Math.max(100, Math.floor(config.leaseMs / 3)),
).unref();

/** The ack for a webhook outcome: `sent`, `failed` with a retry time, or `dead` after the last attempt. */
function ackFor(delivery, outcome) {
  const base = { claimedBy: config.gatewayId, channelBindingId: delivery.channelBindingId, lastError: outcome.lastError };
  if (outcome.status === 'sent') return { ...base, status: 'sent' };
  if (delivery.attemptCount >= config.maxAttempts) return { ...base, status: 'dead' };
  return { ...base, status: 'failed', nextAttemptAt: retryAt(delivery.attemptCount) };
}

async function handle(delivery) {
  const key = keyOf(delivery);
  try {
    let outcome = state.delivered[key];
    if (outcome) {
      log(`redelivered ${delivery.deliveryId}: already ${outcome.status}, acking without posting`);
    } else {
      outcome = await post(delivery);
      state.delivered[key] = outcome;
      await saveState();
      log(`posted ${delivery.deliveryId} ${outcome.status}`);
    }
    const ack = ackFor(delivery, outcome);
    // No more renewals: the ack ends the lease (and if the ack fails, the lease runs out).
    held.delete(key);
    await client.ackChannelDelivery(delivery.deliveryId, ack);
    if (ack.status !== 'sent') {
      delete state.delivered[key];
      await saveState();
    }
    if (ack.status === 'failed')
      log(
        `failed ${delivery.deliveryId} (attempt ${delivery.attemptCount} of ${config.maxAttempts}): ${outcome.lastError} Retry at ${ack.nextAttemptAt}.`,
      );
    else if (ack.status === 'dead')
      log(`dead-lettered ${delivery.deliveryId} after ${delivery.attemptCount} attempts: ${outcome.lastError}`);
    else log(`acked ${delivery.deliveryId} sent`);
  } catch (error) {
    exitIfRefused(error);
    // Not acked: the lease ends and the cloud hands the delivery out again.
    log(`ack ${delivery.deliveryId} failed: ${error.message}`);
  } finally {
    held.delete(key);
  }
}

// ---------------------------------------------------------------- the stream
// Deliveries are handled one after another, in claim order; the server leases at most `prefetch`
// of them to this stream until it acks, so the queue stays short.
let queue = Promise.resolve();
let subscription = null;
let stopping = false;

function connect() {
  subscription = client.subscribeChannelDeliveries({
    claimedBy: config.gatewayId,
    ttlMs: config.leaseMs,
    channelBindingIds: config.bindingIds,
    prefetch: config.prefetch,
    onDelivery(delivery) {
      const key = keyOf(delivery);
      // Delivery is at least once: a delivery already in hand may come again (a reconnect, a lease
      // that ran out). One copy is enough.
      if (held.has(key)) {
        // Keep the newest record (its attempt count) for the copy already queued.
        Object.assign(held.get(key), delivery);
        return log(`repeat of ${delivery.deliveryId} dropped: already in hand`);
      }
      held.set(key, delivery);
      queue = queue.then(() => handle(delivery));
    },
    onError(error) {
      exitIfRefused(error);
      log(`stream: ${error.kind} ${error.code ?? ''} ${error.message}`);
      // A server `event: error` frame keeps the stream open; anything else ends it: reconnect.
      if (!(error.kind === 'sse' && error.code)) reconnect();
    },
    onClose() {
      log('stream closed by the server');
      reconnect();
    },
  });
}

function reconnect() {
  subscription?.close();
  subscription = null;
  if (!stopping) setTimeout(() => !stopping && !subscription && connect(), 1000).unref();
}

async function stop() {
  stopping = true;
  subscription?.close();
  await queue;
  log('stopped');
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

log(`claiming deliveries from ${config.baseUrl} for ${config.webhookUrl}`);
connect();
// The subscription's timers do not hold the process open on every platform; this does.
setInterval(() => undefined, 60_000);
