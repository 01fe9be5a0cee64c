import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHttpSseCloudTransportAdapter } from '@open-cowork/cloud-client';
import { killWhenTestEnds } from '@open-cowork/test-support/process';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';

const program = fileURLToPath(new URL('../gateway.mjs', import.meta.url));
const setupProgram = fileURLToPath(new URL('../setup.mjs', import.meta.url));
const receiverProgram = fileURLToPath(new URL('../receiver.mjs', import.meta.url));
const clientBuild = fileURLToPath(new URL('../../../packages/cloud-client/dist/index.js', import.meta.url));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The webhook: records every POST, answers 2xx unless told to fail or hold the request. */
interface Receiver {
  url: string;
  /** Delivery ids in the order requests arrived (including unanswered and refused ones). */
  requests: string[];
  /** Delivery ids the receiver accepted (answered 2xx). */
  accepted: string[];
  /** Decides per request: `ok`, `fail` (HTTP 500) or `hold` (never answer). */
  decide: (deliveryId: string, attempt: number) => 'ok' | 'fail' | 'hold';
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const held: ServerResponse[] = [];
  const receiver: Receiver = {
    url: '',
    requests: [],
    accepted: [],
    decide: () => 'ok',
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const deliveryId = String((JSON.parse(body) as { delivery: { deliveryId: string } }).delivery.deliveryId);
      expect(request.headers['idempotency-key']).toBe(deliveryId);
      receiver.requests.push(deliveryId);
      const attempt = receiver.requests.filter((id) => id === deliveryId).length;
      const decision = receiver.decide(deliveryId, attempt);
      if (decision === 'hold') return void held.push(response);
      if (decision === 'fail') return void response.writeHead(500).end('busy');
      receiver.accepted.push(deliveryId);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const close = receiver.close;
  receiver.close = async () => {
    for (const response of held) response.destroy();
    server.closeAllConnections();
    await close();
  };
  return receiver;
}

let server: TestServer;
let admin: ReturnType<typeof createHttpSseCloudTransportAdapter>;
let receiver: Receiver;
let stateDir: string;
let gatewayToken: string;

beforeAll(async () => {
  server = await startTestServer();
  Object.assign(server.app.channels.streams.settings, { pollMs: 100 });
  admin = createHttpSseCloudTransportAdapter({
    baseUrl: server.baseUrl,
    headers: { authorization: `Bearer ${await server.mintToken(['admin'])}` },
  });
  await admin.createHeadlessAgent({ name: 'Notifier', agentId: 'ag-hook' });
  await admin.createChannelBinding({ agentId: 'ag-hook', provider: 'webhook', displayName: 'Webhook', bindingId: 'cb-hook' });
  gatewayToken = await server.mintToken(['gateway'], { channelBindingIds: ['cb-hook'] });
  receiver = await startReceiver();
  stateDir = await mkdtemp(join(tmpdir(), 'gateway-example-'));
});
afterAll(async () => {
  await receiver.close();
  await server.close();
  await rm(stateDir, { recursive: true, force: true });
});

/** Starts the daemon as users run it: plain node against the built client. */
function startGateway(env: Record<string, string> = {}): { child: ChildProcess; output: string[] } {
  return startProgram(program, [], {
    OPEN_COWORK_CLOUD_URL: server.baseUrl,
    OPEN_COWORK_GATEWAY_TOKEN: gatewayToken,
    GATEWAY_WEBHOOK_URL: receiver.url,
    GATEWAY_STATE_FILE: join(stateDir, 'state.json'),
    GATEWAY_ID: 'gw-example',
    GATEWAY_LEASE_MS: '1000',
    ...env,
  });
}

/** Runs one of the example's programs as its README does: plain node, output collected. */
function startProgram(file: string, args: string[], env: Record<string, string>): { child: ChildProcess; output: string[] } {
  const output: string[] = [];
  const child = spawn(process.execPath, [file, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  killWhenTestEnds(child);
  return { child, output };
}

const exitOf = (child: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code)),
  );

const create = (deliveryId: string, payload: Record<string, unknown> = {}) =>
  admin.createChannelDelivery({
    agentId: 'ag-hook',
    channelBindingId: 'cb-hook',
    provider: 'webhook',
    target: { url: 'hook' },
    eventType: 'assistant.message',
    payload: { text: deliveryId, ...payload },
    deliveryId,
  });

it('delivers every delivery exactly once across a SIGKILL and a restart, and acks them all', async () => {
  expect(existsSync(clientBuild), 'run `npm run build` first').toBe(true);
  const ids = Array.from({ length: 12 }, (_, n) => `d-${String(n).padStart(2, '0')}`);
  for (const id of ids) await create(id);
  // A previous run POSTed d-pre and crashed before acking it: its state file says so.
  await create('d-pre');
  await writeFile(join(stateDir, 'state.json'), JSON.stringify({ delivered: { 'cb-hook d-pre': { status: 'sent', lastError: null } } }));
  // The first attempt of d-03 gets a 500: acked `failed`, retried, then accepted.
  let killAt: string | null = null;
  receiver.decide = (deliveryId, attempt) => {
    if (deliveryId === 'd-03' && attempt === 1) return 'fail';
    // The daemon is killed while it waits for the webhook's answer to the seventh delivery.
    if (receiver.accepted.length === 6 && killAt === null) {
      killAt = deliveryId;
      return 'hold';
    }
    return 'ok';
  };

  const first = startGateway();
  await waitFor(() => killAt !== null, 'the seventh POST');
  first.child.kill('SIGKILL');
  await new Promise((resolve) => first.child.once('exit', resolve));

  const second = startGateway();
  try {
    await waitFor(
      async () => (await admin.listChannelDeliveries({ channelBindingId: 'cb-hook', status: 'sent', limit: 200 })).length === 13,
      'every delivery sent',
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\nfirst run:\n${first.output.join('')}\nsecond run:\n${second.output.join('')}`);
  }

  // Each reached the receiver exactly once; d-pre (already POSTed before the crash) never again.
  expect([...receiver.accepted].sort()).toEqual(ids);
  expect(receiver.requests).not.toContain('d-pre');
  // The unanswered request was POSTed again after the restart, the refused one retried.
  expect(receiver.requests.filter((id) => id === killAt)).toHaveLength(2);
  expect(receiver.requests.filter((id) => id === 'd-03')).toHaveLength(2);
  const deliveries = await admin.listChannelDeliveries({ channelBindingId: 'cb-hook', limit: 200 });
  expect(deliveries.every((delivery) => delivery.status === 'sent' && delivery.claimedBy === null)).toBe(true);
  expect(second.output.join('')).toContain('redelivered d-pre: already sent, acking without posting');

  second.child.kill('SIGTERM');
  const code = await new Promise((resolve) => second.child.once('exit', resolve));
  expect(code).toBe(0);
}, 90_000);

it('runs from its README: receiver.mjs, setup.mjs with the owner token, then the daemon delivers the sample', async () => {
  const receiverRun = startProgram(receiverProgram, ['0'], {});
  await waitFor(() => /receiving on (\S+)/.test(receiverRun.output.join('')), 'the receiver to listen');
  const hookUrl = /receiving on (\S+)/.exec(receiverRun.output.join(''))![1]!;
  const setup = startProgram(setupProgram, [], {
    OPEN_COWORK_CLOUD_URL: server.baseUrl,
    OPEN_COWORK_CLOUD_TOKEN: await server.mintToken(['desktop', 'gateway', 'admin']),
  });
  expect(await exitOf(setup.child)).toBe(0);
  const printed = setup.output.join('');
  expect(printed).toMatch(/^agent ag-gateway-example, binding cb-gateway-example, sample delivery sample-\d+ \(pending\)$/m);
  const token = /^export OPEN_COWORK_GATEWAY_TOKEN=(occ_tok_\S+)$/m.exec(printed)![1]!;

  // Run twice, it reuses the agent and the binding.
  const again = startProgram(setupProgram, [], {
    OPEN_COWORK_CLOUD_URL: server.baseUrl,
    OPEN_COWORK_CLOUD_TOKEN: await server.mintToken(['admin']),
  });
  expect(await exitOf(again.child)).toBe(0);

  const daemon = startGateway({
    OPEN_COWORK_GATEWAY_TOKEN: token,
    GATEWAY_WEBHOOK_URL: hookUrl,
    GATEWAY_STATE_FILE: join(stateDir, 'readme.json'),
    GATEWAY_ID: 'gw-1',
  });
  try {
    await waitFor(
      () => (receiverRun.output.join('').match(/received sample-\d+: \{"text":"Hello from the gateway example"\}/g) ?? []).length === 2,
      'both sample deliveries received',
    );
    await waitFor(() => (daemon.output.join('').match(/acked sample-\d+ sent/g) ?? []).length === 2, 'both acked');
  } catch (error) {
    throw new Error(`${(error as Error).message}\nreceiver:\n${receiverRun.output.join('')}\ndaemon:\n${daemon.output.join('')}`);
  }
  daemon.child.kill('SIGTERM');
  expect(await exitOf(daemon.child)).toBe(0);
  receiverRun.child.kill('SIGTERM');
}, 90_000);

it('exits with a clear message and status 1 when the cloud refuses its token, instead of retrying', async () => {
  const daemon = startGateway({
    OPEN_COWORK_GATEWAY_TOKEN: 'occ_tok_not-a-real-token',
    GATEWAY_STATE_FILE: join(stateDir, 'refused.json'),
  });
  expect(await exitOf(daemon.child)).toBe(1);
  expect(daemon.output.join('')).toContain('The cloud refused OPEN_COWORK_GATEWAY_TOKEN (401');
});

it('logs why a delivery failed, retries it at a later time, and dead-letters it after GATEWAY_MAX_ATTEMPTS', async () => {
  receiver.decide = (deliveryId) => (deliveryId === 'd-dead' ? 'fail' : 'ok');
  await create('d-dead');
  // A lease far longer than an attempt: under load a 1 s lease can run out while the webhook is
  // posted, and the re-claim would count as an attempt of its own.
  const daemon = startGateway({ GATEWAY_MAX_ATTEMPTS: '2', GATEWAY_STATE_FILE: join(stateDir, 'dead.json'), GATEWAY_LEASE_MS: '15000' });
  try {
    await waitFor(
      async () => (await admin.listChannelDeliveries({ channelBindingId: 'cb-hook', deliveryId: 'd-dead' }))[0]?.status === 'dead',
      'd-dead dead-lettered',
    );
    await waitFor(() => daemon.output.join('').includes('dead-lettered d-dead'), 'the dead-letter log line');
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${daemon.output.join('')}`);
  }
  const [dead] = await admin.listChannelDeliveries({ channelBindingId: 'cb-hook', deliveryId: 'd-dead' });
  expect(dead).toMatchObject({ attemptCount: 2, lastError: 'Webhook answered HTTP 500.', claimedBy: null });
  const output = daemon.output.join('');
  expect(output).toMatch(/failed d-dead \(attempt 1 of 2\): Webhook answered HTTP 500\. Retry at \d{4}-\d\d-\d\dT/);
  expect(output).toContain('dead-lettered d-dead after 2 attempts: Webhook answered HTTP 500.');
  expect(receiver.requests.filter((id) => id === 'd-dead')).toHaveLength(2);
  daemon.child.kill('SIGTERM');
  expect(await exitOf(daemon.child)).toBe(0);
}, 90_000);
