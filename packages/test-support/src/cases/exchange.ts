/**
 * The shapes of the client's case tables: each call of a domain method as data (arguments, every
 * HTTP exchange in order, the result). They hold no fake, so the client's unit tests run them
 * against a fake fetch and the server's OpenAPI test checks them against the document.
 */

/** One HTTP exchange a call makes: the exact request, and what the server answers. */
export interface Exchange {
  request: { method: string; path: string; body?: unknown; idempotencyKey?: string };
  /** `body` is a value sent as JSON, or a string sent verbatim. */
  response: { status?: number; headers?: Record<string, string>; body?: unknown };
}

/**
 * One call of a domain method as data: arguments, every exchange in order, and the result (an
 * async iterator's items are collected into an array).
 */
export interface DomainCase {
  method: string;
  args: unknown[];
  exchanges: Exchange[];
  result: unknown;
}

/** A `GET` answered 200 with `body`. */
export const get = (path: string, body: unknown): Exchange => ({ request: { method: 'GET', path }, response: { body } });

/** A mutating request with its JSON `body` and idempotency key, answered `status` with `answer`. */
export const send = (method: string, path: string, body: unknown, answer: unknown, idempotencyKey?: string, status = 200): Exchange => ({
  request: { method, path, body, idempotencyKey },
  response: { status, body: answer },
});

export const post = (path: string, body: unknown, answer: unknown, idempotencyKey?: string, status = 200): Exchange =>
  send('POST', path, body, answer, idempotencyKey, status);

export const patch = (path: string, body: unknown, answer: unknown): Exchange => send('PATCH', path, body, answer);
