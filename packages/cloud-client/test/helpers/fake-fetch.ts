/**
 * A queue-based fake `fetch` for unit tests of the transport and the domains. It records every
 * request and answers with the minimal response object the client must accept:
 * `{ ok, status, headers: { get }, text(), body }`.
 */
interface RecordedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  /** The raw body string, or undefined when none was sent. */
  body: string | undefined;
  /** `JSON.parse(body)` when a body was sent. */
  json: unknown;
  credentials: RequestCredentials | undefined;
  signal: AbortSignal | undefined;
}

export interface FakeResponseInit {
  status?: number;
  headers?: Record<string, string>;
  /** A value serialised as JSON, or a string sent verbatim. */
  body?: unknown;
}

export interface FakeFetch {
  /** Fits the client's `fetch` option as it is. */
  (url: string, init?: RequestInit): Promise<FakeResponse>;
  requests: RecordedRequest[];
  /** The last recorded request (throws when none). */
  last(): RecordedRequest;
  /** Queue the next answer. Unqueued calls answer 200 `{}`. */
  respond(init: FakeResponseInit): FakeFetch;
}

type FakeResponse = ReturnType<typeof fakeResponse>;

export function fakeResponse(init: FakeResponseInit = {}) {
  const status = init.status ?? 200;
  const text = init.body === undefined ? '' : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  const headers = Object.fromEntries(Object.entries(init.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    ok: status >= 200 && status < 300,
    status,
    headers: { get: (name: string) => headers[name.toLowerCase()] ?? null },
    text: async () => text,
    body: null,
  };
}

export function createFakeFetch(): FakeFetch {
  const queue: FakeResponseInit[] = [];
  const requests: RecordedRequest[] = [];
  const fetch = (async (url: string, init: RequestInit = {}) => {
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const body = typeof init.body === 'string' ? init.body : undefined;
    requests.push({
      url: String(url),
      method: init.method ?? 'GET',
      headers,
      body,
      json: body === undefined ? undefined : JSON.parse(body),
      credentials: init.credentials,
      signal: init.signal ?? undefined,
    });
    return fakeResponse(queue.shift() ?? { body: {} });
  }) as FakeFetch;
  fetch.requests = requests;
  fetch.last = () => {
    const request = requests.at(-1);
    if (!request) throw new Error('no request was made');
    return request;
  };
  fetch.respond = (init) => {
    queue.push(init);
    return fetch;
  };
  return fetch;
}
