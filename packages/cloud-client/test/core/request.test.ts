import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { createCloudClientContext } from '../../src/core/create-context.js';
import { type CloudTransportError, isCloudTransportError } from '../../src/core/errors.js';
import { normalizeRequestTimeoutMs } from '../../src/core/options.js';
import { createFakeFetch, fakeResponse } from '../helpers/fake-fetch.js';

const baseUrl = 'https://cloud.test/';

async function rejection(promise: Promise<unknown>): Promise<CloudTransportError> {
  try {
    await promise;
  } catch (error) {
    expect(isCloudTransportError(error)).toBe(true);
    return error as CloudTransportError;
  }
  throw new Error('expected a rejection');
}

describe('request mechanics', () => {
  it('joins the base URL without its trailing slash and sends user headers', async () => {
    const fetch = createFakeFetch().respond({ body: { ok: true } });
    const ctx = createCloudClientContext({ baseUrl, fetch, headers: { authorization: 'Bearer t' } });
    await expect(ctx.request('/api/config')).resolves.toEqual({ ok: true });
    expect(fetch.last()).toMatchObject({ url: 'https://cloud.test/api/config', method: 'GET' });
    expect(fetch.last().headers).toEqual({ authorization: 'Bearer t' });
  });

  it('allows an empty base URL for same-origin relative URLs', async () => {
    const fetch = createFakeFetch();
    await createCloudClientContext({ baseUrl: '', fetch }).request('/api/config');
    expect(fetch.last().url).toBe('/api/config');
  });

  it('rejects a path outside /api/ with kind request before any I/O', async () => {
    const fetch = createFakeFetch();
    const ctx = createCloudClientContext({ baseUrl, fetch });
    expect((await rejection(ctx.request('/auth/me'))).kind).toBe('request');
    expect(fetch.requests).toHaveLength(0);
  });

  it('sends JSON bodies with content-type, and no content-type without a body', async () => {
    const fetch = createFakeFetch();
    const ctx = createCloudClientContext({ baseUrl, fetch });
    await ctx.request('/api/sessions', { method: 'POST', body: { profileName: 'default' } });
    expect(fetch.last().headers['content-type']).toBe('application/json');
    expect(fetch.last().json).toEqual({ profileName: 'default' });
    await ctx.request('/api/byok/openai/validate', { method: 'POST' });
    expect(fetch.last().headers['content-type']).toBeUndefined();
    expect(fetch.last().body).toBeUndefined();
  });

  it('sends the CSRF token on mutating requests only, and forwards credentials', async () => {
    const fetch = createFakeFetch();
    const ctx = createCloudClientContext({ baseUrl, fetch, csrfToken: 'csrf-1', credentials: 'include' });
    await ctx.request('/api/sessions');
    expect(fetch.last().headers['x-csrf-token']).toBeUndefined();
    expect(fetch.last().credentials).toBe('include');
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
      await ctx.request('/api/sessions', { method });
      expect(fetch.last().headers['x-csrf-token']).toBe('csrf-1');
    }
  });

  it('reads a CSRF token getter per request, so a token obtained after sign-in is used', async () => {
    const fetch = createFakeFetch();
    let token: string | undefined;
    const ctx = createCloudClientContext({ baseUrl, fetch, csrfToken: () => token });
    await ctx.request('/api/sessions', { method: 'POST', body: {} });
    expect(fetch.last().headers['x-csrf-token']).toBeUndefined();
    token = 'later';
    await ctx.request('/api/sessions', { method: 'POST', body: {} });
    expect(fetch.last().headers['x-csrf-token']).toBe('later');
  });

  it('sends Idempotency-Key when given and rejects an empty one', async () => {
    const fetch = createFakeFetch();
    const ctx = createCloudClientContext({ baseUrl, fetch });
    await ctx.request('/api/sessions/s/abort', { method: 'POST', body: {}, idempotencyKey: 'k-1' });
    expect(fetch.last().headers['idempotency-key']).toBe('k-1');
    expect((await rejection(ctx.request('/api/x', { method: 'POST', idempotencyKey: ' ' }))).kind).toBe('request');
  });

  it('encodes queries: skips null/undefined/empty, repeats arrays, sends booleans and zero', async () => {
    const fetch = createFakeFetch();
    const ctx = createCloudClientContext({ baseUrl, fetch });
    await ctx.request('/api/x', {
      query: { a: null, b: undefined, c: '', d: 0, e: false, f: true, g: ['1', '2'], h: 'x y', i: Number.NaN },
    });
    expect(fetch.last().url).toBe('https://cloud.test/api/x?d=0&e=false&f=true&g=1&g=2&h=x+y');
  });

  it('answers an empty 2xx body with {} and an invalid JSON body with kind parse', async () => {
    const fetch = createFakeFetch().respond({ status: 204 }).respond({ body: '<html>' });
    const ctx = createCloudClientContext({ baseUrl, fetch });
    await expect(ctx.request('/api/x')).resolves.toEqual({});
    const error = await rejection(ctx.request('/api/x'));
    expect(error).toMatchObject({ kind: 'parse', status: 200, method: 'GET', url: 'https://cloud.test/api/x' });
  });

  it('wraps a rejected fetch as kind network, keeping the cause', async () => {
    const cause = new TypeError('fetch failed');
    const ctx = createCloudClientContext({ baseUrl, fetch: async () => Promise.reject(cause) });
    const error = await rejection(ctx.request('/api/x', { method: 'POST', body: {} }));
    expect(error).toMatchObject({ kind: 'network', method: 'POST', url: 'https://cloud.test/api/x' });
    expect(error.cause).toBe(cause);
  });

  it('wraps a failing body read as kind network', async () => {
    const ctx = createCloudClientContext({
      baseUrl,
      fetch: async () => ({ ...fakeResponse(), text: () => Promise.reject(new Error('socket hang up')) }),
    });
    expect(await rejection(ctx.request('/api/x'))).toMatchObject({ kind: 'network', status: 200 });
  });

  it('works with the real global fetch signature (a Request-compatible init)', async () => {
    const fetch = createFakeFetch();
    const ctx = createCloudClientContext({ baseUrl, fetch });
    await ctx.request('/api/x');
    expect(fetch.last().signal).toBeInstanceOf(AbortSignal);
  });
});

describe('HTTP errors', () => {
  const cases = [
    [400, 'http'],
    [401, 'unauthorized'],
    [402, 'payment_required'],
    [403, 'forbidden'],
    [404, 'not_found'],
    [405, 'http'],
    [409, 'conflict'],
    [413, 'http'],
    [429, 'rate_limited'],
    [500, 'server'],
    [503, 'server'],
  ] as const;

  it.each(cases)('maps HTTP %i to kind %s', async (status, kind) => {
    const fetch = createFakeFetch().respond({ status, body: { error: 'nope', code: 'x.y' } });
    const error = await rejection(createCloudClientContext({ baseUrl, fetch }).request('/api/x'));
    expect(error).toMatchObject({ kind, status, code: 'x.y', body: { error: 'nope', code: 'x.y' } });
    expect(error.message).toBe('nope');
  });

  it('takes the code from verdict.policyCode when the body has no code (open-cowork servers)', async () => {
    const body = { error: 'denied', verdict: { allowed: false, reason: 'denied', policyCode: 'billing.prompts_not_entitled' } };
    const fetch = createFakeFetch().respond({ status: 402, body });
    const error = await rejection(createCloudClientContext({ baseUrl, fetch }).request('/api/x'));
    expect(error.code).toBe('billing.prompts_not_entitled');
  });

  it('keeps the raw Retry-After, parses seconds, and reads the request id', async () => {
    const fetch = createFakeFetch().respond({
      status: 429,
      headers: { 'Retry-After': '3', 'X-Request-Id': 'req-9' },
      body: { error: 'slow down', code: 'rate_limit.http_exceeded', retryAfterMs: 2500 },
    });
    const error = await rejection(createCloudClientContext({ baseUrl, fetch }).request('/api/x'));
    expect(error).toMatchObject({ retryAfter: '3', retryAfterMs: 3000, requestId: 'req-9' });
  });

  it('parses Retry-After as an HTTP date', async () => {
    const date = new Date(Date.now() + 60_000).toUTCString();
    const fetch = createFakeFetch().respond({ status: 503, headers: { 'retry-after': date } });
    const error = await rejection(createCloudClientContext({ baseUrl, fetch }).request('/api/x'));
    expect(error.retryAfter).toBe(date);
    expect(error.retryAfterMs).toBeGreaterThan(50_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('falls back to body retryAfterMs when there is no header', async () => {
    const fetch = createFakeFetch().respond({ status: 429, body: { error: 'quota', retryAfterMs: 1234 } });
    const error = await rejection(createCloudClientContext({ baseUrl, fetch }).request('/api/x'));
    expect(error).toMatchObject({ retryAfter: null, retryAfterMs: 1234, code: null });
  });

  it('keeps a non-JSON error body as text', async () => {
    const fetch = createFakeFetch().respond({ status: 502, body: '<html>Bad gateway</html>' });
    const error = await rejection(createCloudClientContext({ baseUrl, fetch }).request('/api/x'));
    expect(error).toMatchObject({ kind: 'server', body: '<html>Bad gateway</html>', code: null });
  });
});

describe('timeouts and cancellation', () => {
  const stalled = () => new Promise<never>(() => undefined);
  /** The test moves the clock itself (fake timers) instead of waiting for a timeout to pass. */
  const useTestClock = () => {
    vi.useFakeTimers();
    onTestFinished(() => {
      vi.useRealTimers();
    });
  };

  it('normalises requestTimeoutMs per the package doc', () => {
    expect(normalizeRequestTimeoutMs(undefined)).toBe(30_000);
    expect(normalizeRequestTimeoutMs(null)).toBe(30_000);
    expect(normalizeRequestTimeoutMs(0)).toBe(0);
    expect(normalizeRequestTimeoutMs(1)).toBe(100);
    expect(normalizeRequestTimeoutMs(250.9)).toBe(250);
    expect(normalizeRequestTimeoutMs(10_000_000)).toBe(120_000);
  });

  it.each([-5, Number.POSITIVE_INFINITY, Number.NaN, '100'])('refuses requestTimeoutMs %s with kind request', (value) => {
    expect(() => normalizeRequestTimeoutMs(value as number)).toThrow(expect.objectContaining({ kind: 'request' }));
  });

  it('times out a fetch that never answers, as kind timeout', async () => {
    useTestClock();
    const ctx = createCloudClientContext({ baseUrl, fetch: stalled, requestTimeoutMs: 100 });
    const failed = rejection(ctx.request('/api/x'));
    await vi.advanceTimersByTimeAsync(100);
    expect(await failed).toMatchObject({ kind: 'timeout', url: 'https://cloud.test/api/x' });
  });

  it('times out a response whose body never completes, even when the fetch ignores the signal', async () => {
    useTestClock();
    const ctx = createCloudClientContext({
      baseUrl,
      fetch: async () => ({ ...fakeResponse(), text: stalled }),
      requestTimeoutMs: 100,
    });
    const failed = rejection(ctx.request('/api/x'));
    await vi.advanceTimersByTimeAsync(100);
    expect(await failed).toMatchObject({ kind: 'timeout', status: 200 });
  });

  it('aborts the fetch signal on timeout so the connection is released', async () => {
    useTestClock();
    let seen: AbortSignal | undefined;
    const ctx = createCloudClientContext({
      baseUrl,
      requestTimeoutMs: 100,
      fetch: (_url, init) => {
        seen = init.signal;
        return stalled();
      },
    });
    const failed = rejection(ctx.request('/api/x'));
    await vi.advanceTimersByTimeAsync(100);
    await failed;
    expect(seen?.aborted).toBe(true);
  });

  it('with requestTimeoutMs 0 never times out', async () => {
    useTestClock();
    let answer!: () => void;
    const ctx = createCloudClientContext({
      baseUrl,
      requestTimeoutMs: 0,
      fetch: () => new Promise((resolve) => (answer = () => resolve(fakeResponse({ body: { late: true } })))),
    });
    const pending = ctx.request('/api/x');
    // Past the largest timeout a client can have (120 s).
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    answer();
    await expect(pending).resolves.toEqual({ late: true });
  });

  it('the client-wide signal aborts an in-flight request, body included, as kind abort', async () => {
    const controller = new AbortController();
    const ctx = createCloudClientContext({
      baseUrl,
      signal: controller.signal,
      fetch: async () => ({ ...fakeResponse(), text: stalled }),
    });
    const pending = ctx.request('/api/x');
    setTimeout(() => controller.abort(), 20);
    expect(await rejection(pending)).toMatchObject({ kind: 'abort' });
  });

  it('an already-aborted signal rejects without calling fetch', async () => {
    const fetch = createFakeFetch();
    const ctx = createCloudClientContext({ baseUrl, fetch, signal: AbortSignal.abort() });
    expect(await rejection(ctx.request('/api/x'))).toMatchObject({ kind: 'abort' });
    expect(fetch.requests).toHaveLength(0);
  });

  it('a per-call signal aborts only that call', async () => {
    const controller = new AbortController();
    const fetch = createFakeFetch();
    const ctx = createCloudClientContext({ baseUrl, fetch });
    controller.abort();
    expect(await rejection(ctx.request('/api/x', { signal: controller.signal }))).toMatchObject({ kind: 'abort' });
    await expect(ctx.request('/api/x')).resolves.toEqual({});
  });
});
