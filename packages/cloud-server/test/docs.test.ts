import { launchChromium, SETUP_TIMEOUT, withChromium } from '@open-cowork/test-support/chromium';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe.skipIf(!withChromium)('the API reference at /docs', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchChromium()]);
  }, SETUP_TIMEOUT);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('is public and served under a content security policy that allows only this origin', async () => {
    const response = await fetch(`${server.baseUrl}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toMatch(/https?:/);
  });

  it('renders every operation of the document in Chromium, offline and without a policy violation', async () => {
    const document = (await (await fetch(`${server.baseUrl}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { summary: string }>>;
    };
    const summaries = Object.values(document.paths).flatMap((item) => Object.values(item).map((operation) => operation.summary));

    const page = await browser.newPage();
    const elsewhere: string[] = [];
    const problems: string[] = [];
    // Offline: any request that leaves the server is refused and recorded.
    await page.route('**/*', (route) => {
      if (route.request().url().startsWith(server.baseUrl)) return route.continue();
      elsewhere.push(route.request().url());
      return route.abort();
    });
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));

    await page.goto(`${server.baseUrl}/docs`);
    await page.locator('.opblock-summary').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('.opblock-summary').count()).toBe(summaries.length);
    await expect(page.locator('.opblock-summary-description', { hasText: 'Create a session' }).count()).resolves.toBe(1);
    await expect(page.locator('.opblock-tag', { hasText: 'transport' }).count()).resolves.toBe(1);
    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
