import type { CloudClientContext } from './context.js';
import { CloudTransportError } from './errors.js';
import { normalizeBaseUrl, normalizeRequestTimeoutMs, type CloudFetch, type CloudTransportAdapterOptions } from './options.js';
import { buildUrl, sendRequest, type ResolvedTransport } from './request.js';
import { openStream } from './sse.js';

/** Resolves the adapter options once and builds the context every domain factory receives. */
export function createCloudClientContext(options: CloudTransportAdapterOptions = {}): CloudClientContext {
  const { headers, csrfToken } = options;
  const transport: ResolvedTransport = {
    baseUrl: normalizeBaseUrl(options.baseUrl),
    headers: () => ({ ...(typeof headers === 'function' ? headers() : headers) }),
    csrfToken: () => (typeof csrfToken === 'function' ? csrfToken() : csrfToken) ?? null,
    credentials: options.credentials,
    requestTimeoutMs: normalizeRequestTimeoutMs(options.requestTimeoutMs),
    signal: options.signal,
    // Resolved per call so a fetch installed after construction (test setups, polyfills) is used.
    fetch: () => options.fetch ?? defaultFetch(),
    eventSource: options.eventSource,
  };
  return {
    request: (path, init) => sendRequest(transport, path, init),
    url: (path, query) => buildUrl(transport, path, query),
    stream: (streamOptions) => openStream(transport, streamOptions),
  };
}

function defaultFetch(): CloudFetch {
  if (typeof globalThis.fetch !== 'function') {
    throw new CloudTransportError('request', 'No fetch is available: pass the `fetch` option.');
  }
  // Bound to globalThis: browsers throw "Illegal invocation" when fetch is called as a method of another object.
  return globalThis.fetch.bind(globalThis) as unknown as CloudFetch;
}
