import { createHttpSseCloudTransportAdapter } from '@open-cowork/cloud-client';
import type { CloudTransportError } from '@open-cowork/cloud-client';
import { startTestServer, type TestServer, type TestServerOptions } from '../helpers/server.js';

export type Client = ReturnType<typeof createHttpSseCloudTransportAdapter>;

/** A client of `baseUrl` that authenticates with a bearer token (fetch-based SSE). */
export function clientFor(baseUrl: string, token: string, extra: Partial<Parameters<typeof createHttpSseCloudTransportAdapter>[0]> = {}): Client {
  return createHttpSseCloudTransportAdapter({ baseUrl, headers: { authorization: `Bearer ${token}` }, ...extra });
}

export interface Harness {
  server: TestServer;
  token: string;
  client: Client;
}

/** A test server with a desktop token and a client holding it. */
export async function startHarness(options: TestServerOptions = {}): Promise<Harness> {
  const server = await startTestServer(options);
  const token = await server.mintToken(['desktop']);
  return { server, token, client: clientFor(server.baseUrl, token) };
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
    until(done, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`Timed out with ${recording.events.length} events, errors: ${recording.errors.map((e) => e.message).join('; ')}`));
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
