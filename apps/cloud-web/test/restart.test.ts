import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';
import { launchChromium, SETUP_TIMEOUT, withChromium } from '@open-cowork/test-support/chromium';
import { createSession, sendPrompt, signIn } from './browser.js';

describe.runIf(withChromium)('Cloud Web across a server restart', () => {
  let dataDir: string;
  let browser: Browser;
  let first: TestServer;
  let page: Page;
  const servers: TestServer[] = [];
  const streamRequests: string[] = [];
  // The same store and cookie secret on both sides of the restart: the cookie session survives it.
  const cookieSecret = randomBytes(32).toString('base64url');

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cloud-web-restart-'));
    [browser, first] = await Promise.all([launchChromium(), startTestServer({ dataDir, config: { cookieSecret } })]);
    servers.push(first);
    page = await (await browser.newContext()).newPage();
    page.on('request', (request) => {
      if (request.resourceType() === 'eventsource') streamRequests.push(request.url());
    });
    await page.goto(first.baseUrl);
    await signIn(page, await first.mintToken(['desktop']));
    await createSession(page);
  }, SETUP_TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    for (const server of servers) await server.close().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  }, SETUP_TIMEOUT);

  // Bounded at 60 s rather than 30: the restart reopens the store, seconds of PGlite on a loaded machine.
  it('catches up after the server restarts mid-stream, showing every event exactly once', { timeout: 60_000 }, async () => {
    await sendPrompt(page, 'Keep talking [stream:5000]');
    const reply = page.locator('.message.assistant');
    await reply.filter({ hasText: 'part 10 ' }).waitFor();

    // Stopping ends the streams and the running turn, which records why; the page is left reconnecting.
    await first.close();
    const port = Number(new URL(first.baseUrl).port);
    servers.push(await startTestServer({ dataDir, config: { cookieSecret, port } }));

    await page.getByRole('note').filter({ hasText: 'The server shut down before this turn finished.' }).waitFor({ timeout: 30_000 });
    await page.locator('#session-status', { hasText: 'Idle' }).waitFor();
    expect(streamRequests.length).toBeGreaterThan(1);
    const parts = (await reply.textContent())!
      .trim()
      .split(/\s*part /)
      .filter(Boolean)
      .map(Number);
    expect(parts.length).toBeGreaterThanOrEqual(10);
    expect(parts).toEqual(Array.from({ length: parts.length }, (_, n) => n + 1));

    // The live tail works on the new server, still with the cookie of the old one.
    await sendPrompt(page, 'Still there?');
    await page.locator('.message.assistant', { hasText: 'Scripted reply to "Still there?".' }).waitFor();
    expect(await page.locator('.message').allTextContents()).toEqual([
      'Keep talking [stream:5000]',
      parts.map((n) => `part ${n} `).join(''),
      'Still there?',
      'Scripted reply to "Still there?".',
    ]);
    expect(await page.getByRole('note').count()).toBe(1);
  });
});
