import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, SETUP_TIMEOUT, withChromium } from '@open-cowork/test-support/chromium';
import { startTestServer, type TestServer, type TestServerOptions } from '@open-cowork/test-support/server';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { DEFAULT_WEB_DIR } from '../../../packages/cloud-server/src/config.js';

if (withChromium && !existsSync(join(DEFAULT_WEB_DIR, 'index.html'))) {
  throw new Error(`Cloud Web is not built (${DEFAULT_WEB_DIR}): run \`npm run build\` first.`);
}

export interface Workbench {
  server: TestServer;
  browser: Browser;
  context: BrowserContext;
  page: Page;
}

/**
 * The hooks a Cloud Web suite starts with: before its tests, a server (`server` options) and
 * Chromium with one blank page (`context` options); after them, both closed, also when a test or a
 * later hook failed. The fields are set once this `beforeAll` has run: in the suite's own
 * `beforeAll` (declared after this call) and in its tests.
 */
export function openWorkbench(options: { server?: TestServerOptions; context?: BrowserContextOptions } = {}): Workbench {
  const workbench = {} as Workbench;
  beforeAll(async () => {
    // Each is kept as soon as it is up, so that `afterAll` closes it even when the other failed.
    await Promise.all([
      startTestServer(options.server).then((server) => (workbench.server = server)),
      launchChromium().then((browser) => (workbench.browser = browser)),
    ]);
    workbench.context = await workbench.browser.newContext(options.context);
    workbench.page = await workbench.context.newPage();
  }, SETUP_TIMEOUT);
  afterAll(async () => {
    await workbench.browser?.close();
    await workbench.server?.close();
  }, SETUP_TIMEOUT);
  return workbench;
}

/** Signs in through the form, typing the token as keystrokes so that no test script holds it in the page. */
export async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('Access token').click();
  await page.keyboard.type(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#workbench').waitFor({ state: 'visible' });
}

/** Creates a session with the button and waits until it is open and live. */
export async function createSession(page: Page): Promise<void> {
  const before = await page.locator('#session-list li').count();
  await page.getByRole('button', { name: 'New session' }).click();
  await page.locator('#session-list li').nth(before).waitFor();
  await page.locator('#connection[data-state="live"]').waitFor();
}

export async function sendPrompt(page: Page, text: string): Promise<void> {
  await page.getByLabel('Prompt').fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
  await page.locator('.message.user', { hasText: text }).waitFor();
}

/** The bound of each browser test. */
export const TEST_TIMEOUT = 30_000;

/** Where the tests save their screenshots (the README shows copies of them from docs/). */
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, name) });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * The serious and critical accessibility violations axe-core finds in the page as it is now. It
 * is evaluated through the DevTools protocol, which the page's content security policy allows.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(
            context: Document,
            options: object,
          ): Promise<{ violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: unknown[] }> }> }>;
        };
      }
    ).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  });
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => JSON.stringify(node.target)).join(', ')}`);
}
