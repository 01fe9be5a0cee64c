/**
 * The plumbing of the domain tests. A domain test is mostly a table of `DomainCase`s (each call as
 * data, in `@open-cowork/test-support/cases/*`, which the server's OpenAPI test reads too) run by
 * `runCase` against the fake fetch, and a table of `InvalidCall`s that must fail with kind
 * `request` before any I/O.
 */
import type { DomainCase } from '@open-cowork/test-support/cases/exchange';
import { expect } from 'vitest';
import { createHttpSseCloudTransportAdapter, type CloudEventSourceConstructor, type CloudFetch } from '../../src/adapter.js';
import { createFakeFetch } from './fake-fetch.js';

/** A call that must reject (or throw) with kind `request` and send nothing. */
export interface InvalidCall {
  method: string;
  args: unknown[];
}

/** The origin every domain test talks to. */
const BASE_URL = 'https://cloud.test';

/**
 * An adapter over a fresh fake fetch, and `call(method, args)`, which calls a method by name and
 * collects an async iterator's items into an array. `headers` select fetch-based streaming.
 */
export function setup(options: { headers?: Record<string, string>; eventSource?: unknown } = {}) {
  const fetch = createFakeFetch();
  const cloud = createHttpSseCloudTransportAdapter({
    baseUrl: BASE_URL,
    fetch: fetch as unknown as CloudFetch,
    headers: options.headers,
    eventSource: options.eventSource as CloudEventSourceConstructor | undefined,
  });
  const call = async (method: string, args: unknown[]) => {
    const value = (cloud as unknown as Record<string, (...args: unknown[]) => unknown>)[method]!(...args);
    if (typeof value !== 'object' || value === null || !(Symbol.asyncIterator in value)) return value;
    const items: unknown[] = [];
    for await (const item of value as AsyncIterable<unknown>) items.push(item);
    return items;
  };
  return { fetch, cloud, call };
}

/** Runs one case: the result, and every request exactly (method, URL, JSON body, idempotency key). */
export async function runCase(c: DomainCase): Promise<void> {
  const { fetch, call } = setup();
  for (const exchange of c.exchanges) fetch.respond(exchange.response);
  await expect(call(c.method, c.args)).resolves.toEqual(c.result);
  expect(fetch.requests).toHaveLength(c.exchanges.length);
  c.exchanges.forEach(({ request }, index) => {
    const sent = fetch.requests[index]!;
    expect(sent.method).toBe(request.method);
    expect(sent.url).toBe(`${BASE_URL}${request.path}`);
    expect(sent.headers['content-type']).toBe(request.body === undefined ? undefined : 'application/json');
    expect(sent.headers['idempotency-key']).toBe(request.idempotencyKey);
    expect(sent.json).toEqual(request.body);
  });
}

/** Runs one invalid call: kind `request`, and no request at all. */
export async function runInvalid({ method, args }: InvalidCall): Promise<void> {
  const { fetch, call } = setup();
  await expect(call(method, args)).rejects.toMatchObject({ name: 'CloudTransportError', kind: 'request' });
  expect(fetch.requests).toHaveLength(0);
}

/** The test title of a case: method, HTTP method and path of its first exchange. */
export const CASE_TITLE = '$method $exchanges.0.request.method $exchanges.0.request.path';

/** The test title of an invalid call. */
export const INVALID_TITLE = '$method rejects $args with kind request before any I/O';
