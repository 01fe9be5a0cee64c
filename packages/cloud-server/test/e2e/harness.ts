import { createHttpSseCloudTransportAdapter } from '@open-cowork/cloud-client';
import type { CloudTransportError } from '@open-cowork/cloud-client';
import type { ApiTokenScope } from '@open-cowork/shared';
import { expect } from 'vitest';
import { type MintTokenOptions, startTestServer, type TestServer, type TestServerOptions } from '@open-cowork/test-support/server';

export type Client = ReturnType<typeof createHttpSseCloudTransportAdapter>;

/** A client of `baseUrl` that authenticates with a bearer token (fetch-based SSE). */
export function clientFor(
  baseUrl: string,
  token: string,
  extra: Partial<Parameters<typeof createHttpSseCloudTransportAdapter>[0]> = {},
): Client {
  return createHttpSseCloudTransportAdapter({ baseUrl, headers: { authorization: `Bearer ${token}` }, ...extra });
}

/** A client of `server` holding a freshly minted token (`scopes` and `options` as in `mintToken`). */
export async function mintClient(server: TestServer, scopes?: ApiTokenScope[], options?: MintTokenOptions): Promise<Client> {
  return clientFor(server.baseUrl, await server.mintToken(scopes, options));
}

export interface Harness {
  server: TestServer;
  token: string;
  client: Client;
}

export interface HarnessOptions extends TestServerOptions {
  /** Scopes of the harness token; default `['desktop']`. */
  scopes?: ApiTokenScope[];
}

/** A test server with a token (of the org owner) and a client holding it. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const { scopes = ['desktop'], ...serverOptions } = options;
  const server = await startTestServer(serverOptions);
  const token = await server.mintToken(scopes);
  return { server, token, client: clientFor(server.baseUrl, token) };
}

/** The rejection of `promise`, which must be a CloudTransportError; fails the test when it resolves. */
export async function failure(promise: Promise<unknown>): Promise<CloudTransportError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (reason: unknown) => reason,
  );
  expect((error as Error).name).toBe('CloudTransportError');
  return error as CloudTransportError;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds; throws `Timed out waiting for <what>` after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<void> {
  const { timeoutMs = 30_000, intervalMs = 25, what = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export interface Recording<Event> {
  events: Event[];
  errors: CloudTransportError[];
  closed: boolean;
  /** Resolves with all events once `done` holds for the events so far. */
  until(done: (events: Event[]) => boolean, timeoutMs?: number): Promise<Event[]>;
  close(): void;
}

/** Subscribes with `subscribe` and records what arrives. */
export function record<Event>(
  subscribe: (handlers: { onEvent(event: Event): void; onError(error: CloudTransportError): void; onClose(): void }) => { close(): void },
): Recording<Event> {
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((check) => check());
  const recording: Recording<Event> = {
    events: [],
    errors: [],
    closed: false,
    until(done, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`Timed out with ${recording.events.length} events, errors: ${recording.errors.map((e) => e.message).join('; ')}`),
          );
        }, timeoutMs);
        const check = () => {
          if (!done(recording.events)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(recording.events);
        };
        waiters.add(check);
        check();
      });
    },
    close: () => subscription.close(),
  };
  const subscription = subscribe({
    onEvent(event) {
      recording.events.push(event);
      notify();
    },
    onError(error) {
      recording.errors.push(error);
      notify();
    },
    onClose() {
      recording.closed = true;
      notify();
    },
  });
  return recording;
}

export const hasType = (type: string) => (events: { type: string }[]) => events.some((event) => event.type === type);
