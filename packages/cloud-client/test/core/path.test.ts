import { describe, expect, it } from 'vitest';
import { createCloudClientContext, createHttpSseCloudTransportAdapter } from '../../src/adapter.js';
import { apiPath } from '../../src/core/path.js';
import { createFakeFetch } from '../helpers/fake-fetch.js';
import { recorder, settle } from '../helpers/streams.js';

const UNSAFE = ['', '   ', '.', '..', ' .. ', ' . '];

describe('ids cannot escape their route', () => {
  it.each(UNSAFE)('apiPath refuses the segment %j with kind request', (segment) => {
    expect(() => apiPath`/api/sessions/${segment}`).toThrow(expect.objectContaining({ kind: 'request' }));
  });

  it('apiPath encodes every other segment, dots inside a name included', () => {
    expect(apiPath`/api/sessions/${'a/b'}/artifacts/${'..x'}`).toBe('/api/sessions/a%2Fb/artifacts/..x');
    expect(apiPath`/api/settings/${'%2e%2e'}`).toBe('/api/settings/%252e%252e');
  });

  it.each(UNSAFE)('a domain method given %j fails before any I/O', async (id) => {
    const fetch = createFakeFetch();
    const cloud = createHttpSseCloudTransportAdapter({ baseUrl: 'https://cloud.test', fetch, headers: { authorization: 'Bearer t' } });
    await expect(cloud.getSession(id)).rejects.toMatchObject({ kind: 'request' });
    await expect(cloud.promptSession(id, { text: 'hi' })).rejects.toMatchObject({ kind: 'request' });
    await expect(cloud.getWorkflow(id)).rejects.toMatchObject({ kind: 'request' });
    await expect(cloud.getSetting(id)).rejects.toMatchObject({ kind: 'request' });
    expect(() => cloud.sessionEventsUrl(id)).toThrow(expect.objectContaining({ kind: 'request' }));
    const r = recorder();
    cloud.subscribeSessionEvents(id, r.options);
    await settle();
    expect(r.errors.map((error) => error.kind)).toEqual(['request']);
    expect(fetch.requests).toHaveLength(0);
  });

  it.each(['/api/sessions/../config', '/api/sessions/./x', '/api/sessions//x', '/api/%2e%2e/x', '/api/'])(
    'the request core refuses the raw path %s',
    async (path) => {
      const fetch = createFakeFetch();
      await expect(createCloudClientContext({ baseUrl: 'https://cloud.test', fetch }).request(path)).rejects.toMatchObject({
        kind: 'request',
      });
      expect(fetch.requests).toHaveLength(0);
    },
  );
});
