import { createHttpSseCloudTransportAdapter, type CloudTransportAdapter } from '@open-cowork/cloud-client';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '@open-cowork/test-support/server';
import { withChromium, SETUP_TIMEOUT } from '@open-cowork/test-support/chromium';
import { createSession, openWorkbench, sendPrompt, signIn, TEST_TIMEOUT } from './browser.js';

/** More sessions than one page of the list (30), made over the API before the page loads. */
const SESSIONS = 45;

describe.runIf(withChromium)('Cloud Web sessions list in Chromium', () => {
  const workbench = openWorkbench({ context: { viewport: { width: 1200, height: 760 } } });
  let server: TestServer;
  let page: Page;
  let api: CloudTransportAdapter;
  const items = () => page.locator('#session-list li');

  beforeAll(async () => {
    ({ server, page } = workbench);
    const token = await server.mintToken(['desktop']);
    api = createHttpSseCloudTransportAdapter({ baseUrl: server.baseUrl, headers: { authorization: `Bearer ${token}` } });
    for (let n = 1; n <= SESSIONS; n += 1) {
      const { session } = await api.createSession();
      await api.renameSession(session.sessionId, n % 10 === 0 ? `Budget review ${n}` : `Chat number ${n}`);
    }
    await page.goto(server.baseUrl);
    await signIn(page, await server.mintToken(['desktop']));
  }, SETUP_TIMEOUT);

  it('shows the first page, and fetches the next through the cursor when the list is scrolled to its end', {
    timeout: TEST_TIMEOUT,
  }, async () => {
    await items().nth(29).waitFor();
    expect(await items().count()).toBe(30);
    // Newest first: the last renamed session leads.
    expect(await items().first().textContent()).toBe(`Chat number ${SESSIONS}`);
    await page.locator('#session-more').scrollIntoViewIfNeeded();
    await items()
      .nth(SESSIONS - 1)
      .waitFor();
    expect(await items().count()).toBe(SESSIONS);
    await page.locator('#session-more').waitFor({ state: 'hidden' });
    expect(new Set(await items().allTextContents()).size).toBe(SESSIONS);
  });

  it('searches the sessions by title, and says so when nothing matches', { timeout: TEST_TIMEOUT }, async () => {
    const search = page.getByLabel('Search sessions by title');
    await search.fill('budget');
    await expect
      .poll(() => items().allTextContents())
      .toEqual(['Budget review 40', 'Budget review 30', 'Budget review 20', 'Budget review 10']);
    await search.fill('no such title');
    await page.getByRole('status').filter({ hasText: 'No session matches “no such title”.' }).waitFor();
    expect(await items().count()).toBe(0);
    await search.fill('');
    await items().nth(29).waitFor();
  });

  it('names a new session after its first prompt, in the header and in the list', { timeout: TEST_TIMEOUT }, async () => {
    await createSession(page);
    expect(await page.locator('#session-title').textContent()).toMatch(/^Untitled, /);
    await sendPrompt(page, 'Plan the offsite\nwith details on a second line');
    await page.locator('#session-title', { hasText: 'Plan the offsite' }).waitFor();
    await page.locator('#session-list li button[aria-current="true"]', { hasText: 'Plan the offsite' }).waitFor();
    expect(await items().first().textContent()).toBe('Plan the offsite');
  });

  it('renames the open session with the keyboard; the new title survives a reload', { timeout: TEST_TIMEOUT }, async () => {
    await page.getByRole('button', { name: 'Rename' }).click();
    const input = page.getByLabel('Session title');
    expect(await input.evaluate((element) => element === document.activeElement)).toBe(true);
    await input.fill('Offsite agenda');
    await input.press('Enter');
    await page.locator('#session-title', { hasText: 'Offsite agenda' }).waitFor();
    await page.locator('#session-list li', { hasText: 'Offsite agenda' }).waitFor();
    // Escape leaves the title as it was.
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByLabel('Session title').fill('Not this');
    await page.getByLabel('Session title').press('Escape');
    expect(await page.locator('#session-title').textContent()).toBe('Offsite agenda');

    await page.reload();
    await page.locator('#session-title', { hasText: 'Offsite agenda' }).waitFor();
    expect(await items().first().textContent()).toBe('Offsite agenda');
  });

  it('closes the open session: it stays readable, marked closed, and takes no more prompts', { timeout: TEST_TIMEOUT }, async () => {
    await page.locator('#session-status', { hasText: 'Idle' }).waitFor();
    await page.getByRole('button', { name: 'Close session' }).click();
    await page.locator('#session-status', { hasText: 'Closed' }).waitFor();
    expect(await page.getByLabel('Prompt').isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Close session' }).isHidden()).toBe(true);
    await page.locator('#session-list li button.closed', { hasText: 'Offsite agenda' }).waitFor();
    expect(await page.locator('.message.user').first().textContent()).toContain('Plan the offsite');
    const listed = (await api.listSessionsPage({ q: 'Offsite agenda' })).sessions;
    expect(listed.map((session) => session.status)).toEqual(['closed']);
  });

  it('offers OIDC sign-in only when the cloud has an OIDC web login (GET /auth/desktop/config names webLoginUrl)', {
    timeout: TEST_TIMEOUT,
  }, async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Access token').waitFor();
    // This cloud has no OIDC: the endpoint answers 404 and only the token form is offered.
    expect((await fetch(`${server.baseUrl}/auth/desktop/config`)).status).toBe(404);
    expect(await page.getByRole('link', { name: 'Sign in with OIDC' }).isHidden()).toBe(true);

    await page.route('**/auth/desktop/config', (route) =>
      route.fulfill({
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify({
          mode: 'oidc',
          issuerUrl: 'https://issuer.test',
          clientId: 'web',
          scope: 'openid',
          webLoginUrl: '/auth/login',
        }),
      }),
    );
    await page.reload();
    const link = page.getByRole('link', { name: 'Sign in with OIDC' });
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe('/auth/login');
    expect(await page.getByLabel('Access token').isVisible()).toBe(true);
    await page.unroute('**/auth/desktop/config');
  });
});
