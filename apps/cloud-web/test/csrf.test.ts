import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '@open-cowork/test-support/server';
import { withChromium, SETUP_TIMEOUT } from '@open-cowork/test-support/chromium';
import { createSession, openWorkbench, signIn, TEST_TIMEOUT } from './browser.js';

/** A page on another site (`localhost` is not the same site as `127.0.0.1`) that posts a form to the cloud. */
async function startAttackerSite(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const page = `<!doctype html><title>Win a prize</title>
<form method="post" action="${target}/api/sessions" enctype="text/plain"><input name='{"profileName":"attacker","x":"' value='"}'></form>
<script>document.forms[0].submit()</script>`;
  const server: Server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end(page));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://localhost:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe.runIf(withChromium)('Cloud Web CSRF protection in Chromium', () => {
  const workbench = openWorkbench();
  let server: TestServer;
  let page: Page;
  let bearer: string;

  const sessionCount = async () => {
    const response = await fetch(`${server.baseUrl}/api/sessions`, { headers: { authorization: `Bearer ${bearer}` } });
    return ((await response.json()) as { sessions: unknown[] }).sessions.length;
  };

  beforeAll(async () => {
    ({ server, page } = workbench);
    bearer = await server.mintToken(['desktop']);
    await page.goto(server.baseUrl);
    await signIn(page, await server.mintToken(['desktop']));
  }, SETUP_TIMEOUT);

  it('refuses a cookie-authenticated POST without the CSRF header', { timeout: TEST_TIMEOUT }, async () => {
    const status = await page.evaluate(async () => {
      const response = await fetch('/api/sessions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      return { status: response.status, body: (await response.json()) as { code?: string } };
    });
    expect(status).toEqual({ status: 403, body: expect.objectContaining({ code: 'auth.csrf_invalid' }) });
    expect(await sessionCount()).toBe(0);
  });

  it('recovers when a command goes out without its token: refused once, then retried with a fresh one', {
    timeout: TEST_TIMEOUT,
  }, async () => {
    const statuses: number[] = [];
    page.on('response', (response) => {
      if (response.request().method() === 'POST' && response.url().endsWith('/api/sessions')) statuses.push(response.status());
    });
    // Strip the header from the first attempt only, as a stale or lost token would.
    let stripped = false;
    await page.route('**/api/sessions', async (route) => {
      const { 'x-csrf-token': _token, ...headers } = route.request().headers();
      if (route.request().method() !== 'POST' || stripped) return route.continue();
      stripped = true;
      return route.continue({ headers });
    });

    await createSession(page);
    expect(statuses).toEqual([403, 201]);
    expect(await page.getByRole('alert').isHidden()).toBe(true);
    expect(await sessionCount()).toBe(1);
    await page.unroute('**/api/sessions');
  });

  it('refuses a cross-site form post to /api/sessions: no session is created', { timeout: TEST_TIMEOUT }, async () => {
    const attacker = await startAttackerSite(server.baseUrl);
    try {
      const before = await sessionCount();
      const refused = page.waitForResponse((response) => response.url() === `${server.baseUrl}/api/sessions`);
      await page.goto(attacker.url);
      const response = await refused;
      // SameSite=Lax keeps the cookie off a cross-site POST, so the cloud sees no credential at all.
      expect(response.status()).toBe(401);
      expect((await response.request().allHeaders()).cookie).toBeUndefined();
      expect(await sessionCount()).toBe(before);
    } finally {
      await attacker.close();
    }
  });
});
