import type { CloudTransportError } from './errors.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A query value: `null`/`undefined` are skipped, arrays repeat the key, booleans are sent as `true`/`false`. */
type QueryValue = string | number | boolean | null | undefined | readonly (string | number | boolean)[];
export type QueryParams = Record<string, QueryValue>;

export interface CloudRequestInit {
  /** Default `GET`. */
  method?: HttpMethod;
  query?: QueryParams;
  /** Sent as JSON. `undefined` sends no body at all. */
  body?: unknown;
  /** Sent as the `Idempotency-Key` header. */
  idempotencyKey?: string;
  /** Aborts this call only (the client-wide `signal` still applies). */
  signal?: AbortSignal;
}

/** One dispatched server-sent event: `data` is the parsed JSON of its `data:` field. */
export interface CloudStreamFrame {
  /** The `event:` field, `message` when absent. */
  type: string;
  /** The `id:` field, or null. */
  id: string | null;
  data: unknown;
}

/** A live subscription. `close()` releases the connection; no callback fires after it. */
export interface CloudSubscription {
  close(): void;
}

export interface CloudStreamOptions {
  /** `/api/…` path of the stream. */
  path: string;
  query?: QueryParams;
  /**
   * Resume cursor: sent as `?after=N` when N > 0; frames whose sequence is ≤ the highest already
   * delivered (starting from this value) are dropped.
   */
  afterSequence?: number;
  /** Reads the sequence of a frame for duplicate suppression; frames without one are always delivered. */
  sequenceOf?: (frame: CloudStreamFrame) => number | null;
  /**
   * Named event types to listen for on the EventSource path (EventSource delivers a named event
   * only to a listener registered for that name). The fetch path delivers every type regardless.
   */
  eventTypes?: readonly string[];
  onFrame(frame: CloudStreamFrame): void;
  onError?(error: CloudTransportError): void;
  /** Fired once when the server ends the stream; never after `close()`. */
  onClose?(): void;
}

/**
 * What every domain factory receives: the transport core, with no knowledge of domains.
 * `request` rejects with `CloudTransportError` only; `stream` never throws (errors go to `onError`).
 */
export interface CloudClientContext {
  request<T>(path: string, init?: CloudRequestInit): Promise<T>;
  /** Absolute (or `baseUrl`-relative when `baseUrl` is `''`) URL of an `/api/…` path. */
  url(path: string, query?: QueryParams): string;
  stream(options: CloudStreamOptions): CloudSubscription;
}

/** Per-call options of a mutating command. */
export interface CloudCommandOptions {
  /** Sent as `Idempotency-Key`: the server answers a repeat with the first result. */
  idempotencyKey?: string;
  /** Aborts this call only. */
  signal?: AbortSignal;
}

/**
 * `ctx.request` for a mutating call: `method`, a JSON `body` (`undefined` sends none) and the
 * per-call idempotency key and abort signal of `options`.
 */
export function commandSender(ctx: CloudClientContext) {
  return <T>(method: HttpMethod, path: string, body: unknown, options: CloudCommandOptions = {}) =>
    ctx.request<T>(path, { method, body, idempotencyKey: options.idempotencyKey, signal: options.signal });
}
