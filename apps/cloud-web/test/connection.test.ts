import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';
import { launchChromium, SETUP_TIMEOUT, withChromium } from '@open-cowork/test-support/chromium';
import { createSession, sendPrompt, signIn } from './browser.js';

describe.runIf(withChromium)('Cloud Web connection badge in Chromium', () => {
  let dataDir: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const servers: TestServer[] = [];
  // The same store and cookie secret on both sides of the restart: the cookie session survives it.
  const cookieSecret = randomBytes(32).toString('base64url');
  const badge = () => page.locator('#connection');
  const states: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cloud-web-connection-'));
    const [launched, first] = await Promise.all([launchChromium(), startTestServer({ dataDir, config: { cookieSecret } })]);
    browser = launched;
    servers.push(first);
    context = await browser.newContext();
    page = await context.newPage();
    await page.exposeFunction('recordBadge', (state: string) => states.push(state));
    await page.goto(first.baseUrl);
    await signIn(page, await first.mintToken(['desktop']));
    await createSession(page);
    // Every state the badge shows, in order, as the page sets it.
    await page.evaluate(() => {
      const element = document.getElementById('connection')!;
      new MutationObserver(() =>
        (window as unknown as { recordBadge(state: string): void }).recordBadge(element.dataset.state ?? ''),
      ).observe(element, { attributes: true, attributeFilter: ['data-state'] });
    });
  }, SETUP_TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    for (const server of servers) await server.close().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  }, SETUP_TIMEOUT);

  // Bounded at 60 s rather than 30: the restart reopens the store, seconds of PGlite on a loaded machine.
  it('says reconnecting, then offline while the cloud is down, and live again (clearing the banner) once it is back', {
    timeout: 60_000,
  }, async () => {
    const first = servers[0]!;
    await first.close();
    await page.locator('#connection[data-state="offline"]').waitFor({ timeout: 20_000 });
    expect(states.slice(0, 2)).toEqual(['reconnecting', 'offline']);
    expect(await badge().textContent()).toBe('Offline, retrying');

    await page.getByRole('button', { name: 'New session' }).click();
    const banner = page.getByRole('alert').filter({ hasText: 'the cloud cannot be reached' });
    await banner.waitFor();

    const port = Number(new URL(first.baseUrl).port);
    servers.push(await startTestServer({ dataDir, config: { cookieSecret, port } }));
    await page.locator('#connection[data-state="live"]').waitFor({ timeout: 30_000 });
    expect(await badge().textContent()).toBe('Live');
    await banner.waitFor({ state: 'hidden' });
    // Live means it: a prompt goes through and its reply streams in.
    await sendPrompt(page, 'Back again?');
    await page.locator('.message.assistant', { hasText: 'Scripted reply to "Back again?".' }).waitFor();
  });

  it('says offline when the browser loses the network, and live when it is back', { timeout: 30_000 }, async () => {
    await context.setOffline(true);
    await page.locator('#connection[data-state="offline"]').waitFor();
    await context.setOffline(false);
    await page.locator('#connection[data-state="live"]').waitFor({ timeout: 20_000 });
  });
});
