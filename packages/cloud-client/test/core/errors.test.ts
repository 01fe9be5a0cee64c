import { describe, expect, it, vi } from 'vitest';
import { CLOUD_TRANSPORT_ERROR_KINDS, CloudTransportError, errorKindForStatus, isCloudTransportError } from '../../src/core/errors.js';

describe('CloudTransportError', () => {
  it('has exactly the 14 documented kinds, in the documented order', () => {
    expect(CLOUD_TRANSPORT_ERROR_KINDS).toEqual([
      'unauthorized',
      'forbidden',
      'payment_required',
      'not_found',
      'conflict',
      'rate_limited',
      'server',
      'http',
      'timeout',
      'abort',
      'parse',
      'sse',
      'network',
      'request',
    ]);
  });

  it('carries every documented field, null when unknown', () => {
    const cause = new Error('root');
    const error = new CloudTransportError('rate_limited', 'slow down', {
      status: 429,
      method: 'GET',
      url: 'https://cloud.test/api/x',
      code: 'quota.x',
      retryAfter: '2',
      retryAfterMs: 2000,
      requestId: 'r1',
      body: { error: 'slow down' },
      cause,
    });
    expect(error).toMatchObject({
      name: 'CloudTransportError',
      kind: 'rate_limited',
      status: 429,
      method: 'GET',
      url: 'https://cloud.test/api/x',
      code: 'quota.x',
      retryAfter: '2',
      retryAfterMs: 2000,
      requestId: 'r1',
      body: { error: 'slow down' },
      message: 'slow down',
    });
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(Error);
    expect(new CloudTransportError('network', 'x')).toMatchObject({ status: null, code: null, retryAfterMs: null, requestId: null });
  });

  it('is recognised by the guard across two copies of the package', async () => {
    vi.resetModules();
    // The `?copy` query makes the bundler load a second instance of the module; TypeScript cannot resolve it.
    // @ts-expect-error -- a module specifier with a query string
    const copy = (await import('../../src/core/errors.js?copy')) as typeof import('../../src/core/errors.js');
    const foreign = new copy.CloudTransportError('timeout', 'from the other copy');
    expect(foreign instanceof CloudTransportError).toBe(false);
    expect(isCloudTransportError(foreign)).toBe(true);
    expect(copy.isCloudTransportError(new CloudTransportError('timeout', 'x'))).toBe(true);
  });

  it('the guard refuses look-alikes', () => {
    expect(isCloudTransportError(new Error('x'))).toBe(false);
    expect(isCloudTransportError({ name: 'CloudTransportError', kind: 'http' })).toBe(false);
    expect(isCloudTransportError(null)).toBe(false);
  });

  it('maps statuses to kinds', () => {
    expect([401, 402, 403, 404, 409, 429, 500, 599, 400, 418].map(errorKindForStatus)).toEqual([
      'unauthorized',
      'payment_required',
      'forbidden',
      'not_found',
      'conflict',
      'rate_limited',
      'server',
      'server',
      'http',
      'http',
    ]);
  });
});
