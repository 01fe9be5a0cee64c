import type { CloudClientContext } from './context.js';
import { CloudTransportError } from './errors.js';
import { checkHeaders, checkOptions, type CloudFetch, type CloudTransportAdapterOptions } from './options.js';
import { buildUrl, sendRequest, type ResolvedTransport } from './request.js';
import { openStream } from './sse.js';

/**
 * Checks the adapter options once (a bad one is a `request` error thrown right here, saying what to
 * pass) and builds the context every domain factory receives.
 */
export function createCloudClientContext(options: CloudTransportAdapterOptions): CloudClientContext {
  const { baseUrl, requestTimeoutMs, streamIdleTimeoutMs } = checkOptions(options);
  const { headers, csrfToken } = options;
  const transport: ResolvedTransport = {
    baseUrl,
    headers: typeof headers === 'function' ? () => ({ ...checkHeaders(headers(), 'headers()') }) : () => ({ ...headers }),
    csrfToken: () => (typeof csrfToken === 'function' ? csrfToken() : csrfToken) ?? null,
    credentials: options.credentials,
    requestTimeoutMs,
    streamIdleTimeoutMs,
    signal: options.signal,
    // Resolved per call so a fetch installed after construction (test setups, polyfills) is used.
    fetch: () => options.fetch ?? defaultFetch,
    fetchMayIgnoreSignal: options.fetch !== undefined,
    eventSource: options.eventSource,
  };
  return {
    request: (path, init) => sendRequest(transport, path, init),
    url: (path, query) => buildUrl(transport, path, query),
    stream: (streamOptions) => openStream(transport, streamOptions),
  };
}

/**
 * `globalThis.fetch`, looked up per call and called as a plain function: browsers throw "Illegal
 * invocation" when fetch is called as a method of another object.
 */
const defaultFetch: CloudFetch = (url, init) => {
  const fetch = globalThis.fetch;
  if (typeof fetch !== 'function') {
    return Promise.reject(new CloudTransportError('request', 'No fetch is available: pass the `fetch` option.'));
  }
  return fetch(url, init) as unknown as ReturnType<CloudFetch>;
};
