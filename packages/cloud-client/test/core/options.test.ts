import { describe, expect, it } from 'vitest';
import { createHttpSseCloudTransportAdapter, type CloudTransportAdapterOptions } from '../../src/adapter.js';
import { createFakeFetch } from '../helpers/fake-fetch.js';

function refusal(options: unknown): unknown {
  try {
    createHttpSseCloudTransportAdapter(options as CloudTransportAdapterOptions);
  } catch (error) {
    return error;
  }
  throw new Error('expected the adapter to refuse its options');
}

describe('options are checked at construction', () => {
  it.each([
    ['no options', undefined, /baseUrl: 'https:\/\/cloud\.example\.com'/],
    ['a missing baseUrl', {}, /^baseUrl is required\. Pass the cloud's origin/],
    ['a baseUrl that is not a string', { baseUrl: 42 }, /baseUrl is required.*got 42/],
    ['a baseUrl without scheme', { baseUrl: 'cloud.example.com' }, /baseUrl must be an absolute http\(s\) URL.*got "cloud\.example\.com"/],
    ['a baseUrl with another scheme', { baseUrl: 'ftp://cloud.example.com' }, /absolute http\(s\) URL/],
    ['a baseUrl with a query', { baseUrl: 'https://cloud.example.com/?x=1' }, /without query or fragment/],
    [
      'a negative requestTimeoutMs',
      { baseUrl: '', requestTimeoutMs: -1 },
      /requestTimeoutMs must be a number of milliseconds ≥ 0 \(0 disables the timeout\), got -1/,
    ],
    ['a requestTimeoutMs string', { baseUrl: '', requestTimeoutMs: '30000' }, /requestTimeoutMs must be a number.*got "30000"/],
    ['a NaN requestTimeoutMs', { baseUrl: '', requestTimeoutMs: Number.NaN }, /requestTimeoutMs.*got NaN/],
    [
      'a header value that is not a string',
      { baseUrl: '', headers: { authorization: undefined } },
      /headers\.authorization must be a string \(got undefined\)/,
    ],
    ['headers that are not an object', { baseUrl: '', headers: 'Bearer t' }, /headers must be an object of header names to string values/],
    ['credentials other than include', { baseUrl: '', credentials: 'same-origin' }, /credentials must be 'include'/],
    ['a fetch that is not a function', { baseUrl: '', fetch: {} }, /fetch must be a function/],
    ['a signal that is not an AbortSignal', { baseUrl: '', signal: true }, /signal must be an AbortSignal/],
    ['a negative streamIdleTimeoutMs', { baseUrl: '', streamIdleTimeoutMs: -1 }, /streamIdleTimeoutMs must be a number of milliseconds/],
  ])('refuses %s with kind request and says what to pass', (_name, options, message) => {
    const error = refusal(options);
    expect(error).toMatchObject({ name: 'CloudTransportError', kind: 'request' });
    expect((error as Error).message).toMatch(message);
  });

  it('never puts a header value into the message', () => {
    expect((refusal({ baseUrl: '', headers: { a: 'Bearer secret', b: 1 } }) as Error).message).not.toContain('secret');
  });

  it('accepts the documented shapes: an origin, a path prefix, a trailing slash, and "" for same-origin', async () => {
    for (const baseUrl of ['https://cloud.example.com', 'http://127.0.0.1:8787/cloud/', '']) {
      const fetch = createFakeFetch();
      await createHttpSseCloudTransportAdapter({ baseUrl, fetch, requestTimeoutMs: 0 }).getConfig();
      expect(fetch.last().url).toBe(`${baseUrl.replace(/\/$/, '')}/api/config`);
    }
  });

  it('checks the headers a function returns on each request', async () => {
    const cloud = createHttpSseCloudTransportAdapter({
      baseUrl: 'https://cloud.test',
      fetch: createFakeFetch(),
      headers: () => ({ authorization: null as unknown as string }),
    });
    await expect(cloud.getConfig()).rejects.toMatchObject({
      kind: 'request',
      message: expect.stringMatching(/headers\(\)\.authorization must be a string/),
    });
  });

  it('passes no signal to fetch when nothing can abort the call', async () => {
    const fetch = createFakeFetch();
    await createHttpSseCloudTransportAdapter({ baseUrl: '', fetch, requestTimeoutMs: 0 }).getConfig();
    expect(fetch.last().signal).toBeUndefined();
  });

  it('a wrapping fetch sees every request, for logging', async () => {
    const inner = createFakeFetch();
    const log: string[] = [];
    const cloud = createHttpSseCloudTransportAdapter({
      baseUrl: 'https://cloud.test',
      fetch: async (url, init) => {
        log.push(`${init.method} ${url}`);
        return inner(url, init);
      },
    });
    await cloud.getConfig();
    expect(log).toEqual(['GET https://cloud.test/api/config']);
  });
});
