import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_WEB_DIR } from '../../../packages/cloud-server/src/config.js';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';
import { SETUP_TIMEOUT } from '@open-cowork/test-support/chromium';

describe('the server serves Cloud Web', () => {
  let built: TestServer;
  let unbuilt: TestServer;
  let emptyDir: string;

  beforeAll(async () => {
    emptyDir = await mkdtemp(join(tmpdir(), 'cloud-web-unbuilt-'));
    [built, unbuilt] = await Promise.all([startTestServer(), startTestServer({ config: { webDir: emptyDir } })]);
  }, SETUP_TIMEOUT);

  afterAll(async () => {
    await Promise.all([built?.close(), unbuilt?.close()]);
    await rm(emptyDir, { recursive: true, force: true });
  }, SETUP_TIMEOUT);

  it('answers / with the workbench page, locked to its own origin by a content security policy', async () => {
    const response = await fetch(`${built.baseUrl}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(await response.text()).toContain('<title>Open Cowork Cloud</title>');
  });

  it('serves the hashed assets for good, and nothing outside them', async () => {
    const [script] = (await readdir(join(DEFAULT_WEB_DIR, 'assets'))).filter((name) => name.endsWith('.js'));
    const asset = await fetch(`${built.baseUrl}/assets/${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(asset.headers.get('content-type')).toMatch(/javascript/);

    for (const path of ['/assets/missing.js', '/assets/..%2findex.html', '/assets/%2e%2e/%2e%2e/package.json', '/index.html']) {
      expect([403, 404], path).toContain((await fetch(`${built.baseUrl}${path}`)).status);
    }
    expect(await (await fetch(`${built.baseUrl}/api/nothing-here`)).json()).toMatchObject({ code: 'route.not_found' });
  });

  it('says how to build it when the assets are missing', async () => {
    const response = await fetch(`${unbuilt.baseUrl}/`);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('Cloud Web is not built');
  });
});
