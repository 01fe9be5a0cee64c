import { readFile } from 'node:fs/promises';
import { createHttpSseCloudTransportAdapter, type CloudTransportAdapter } from '@open-cowork/cloud-client';
import type { Browser, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '@open-cowork/test-support/server';
import { withChromium, SETUP_TIMEOUT } from '@open-cowork/test-support/chromium';
import { createSession, openWorkbench, screenshot, sendPrompt, seriousViolations, signIn, TEST_TIMEOUT } from './browser.js';

/** The scripted runtime echoes the prompt in its reply, so a Markdown prompt gives a Markdown reply. */
const MARKDOWN_PROMPT = [
  'Release checklist',
  'Show **bold**, a [link](https://example.com) and <img src=x onerror="window.hacked=1"><script>window.hacked=2</script>',
  '',
  '```js',
  'const answer = 42;',
  '```',
  '',
  'Done.',
].join('\n');

describe.runIf(withChromium)('Cloud Web messages, cards and comfort in Chromium', () => {
  const workbench = openWorkbench({
    context: { viewport: { width: 1280, height: 800 }, permissions: ['clipboard-read', 'clipboard-write'] },
  });
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let api: CloudTransportAdapter;
  const openSessionId = () => page.evaluate(() => decodeURIComponent(location.hash.slice(1)));
  const reply = () => page.locator('.message.assistant').last();

  beforeAll(async () => {
    ({ server, browser, page } = workbench);
    api = createHttpSseCloudTransportAdapter({
      baseUrl: server.baseUrl,
      headers: { authorization: `Bearer ${await server.mintToken(['desktop'])}` },
    });
    await page.goto(server.baseUrl);
    await page.getByLabel('Access token').waitFor();
    expect(await seriousViolations(page), 'sign-in page').toEqual([]);
    await signIn(page, await server.mintToken(['desktop']));
  }, SETUP_TIMEOUT);

  it('renders the reply as sanitised Markdown, with a code block that copies', { timeout: TEST_TIMEOUT }, async () => {
    await createSession(page);
    await page.getByLabel('Prompt').fill(MARKDOWN_PROMPT);
    await page.getByRole('button', { name: 'Send' }).click();
    await reply().filter({ hasText: 'Done.' }).waitFor();

    expect(await reply().locator('strong').textContent()).toBe('bold');
    const link = reply().getByRole('link', { name: 'link' });
    expect(await link.getAttribute('href')).toBe('https://example.com');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await link.getAttribute('target')).toBe('_blank');
    // No markup from the message runs or loads anything.
    expect(await page.locator('.transcript img, .transcript script').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { hacked?: number }).hacked)).toBeUndefined();
    // The prompt is shown as the text that was typed.
    expect(await page.locator('.message.user').textContent()).toBe(MARKDOWN_PROMPT);

    expect(await reply().locator('pre code').textContent()).toBe('const answer = 42;\n');
    await reply().getByRole('button', { name: 'Copy code' }).click();
    await reply().getByRole('button', { name: 'Copy code' }).filter({ hasText: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('const answer = 42;');
  });

  it('shows tool calls as collapsible cards with input, status and output, reachable by keyboard', { timeout: TEST_TIMEOUT }, async () => {
    const card = page.locator('.tool').first();
    await card.locator('.badge', { hasText: 'complete' }).waitFor();
    expect(await card.locator('summary').textContent()).toContain('Tool: read');
    expect(await card.locator('pre').first().isVisible()).toBe(false);
    await card.locator('summary').focus();
    await page.keyboard.press('Enter');
    expect(await card.locator('pre').first().textContent()).toBe('{\n  "path": "README.md"\n}');
    expect(await card.locator('pre').last().textContent()).toBe('# Scripted project\n');
  });

  it('lists the todos, and the tokens and cost of the session', { timeout: TEST_TIMEOUT }, async () => {
    const todos = page.locator('#todos li');
    await todos.nth(1).waitFor();
    expect(await todos.allTextContents()).toEqual(['✓Read the prompt (completed)', '✓Reply (completed)']);
    expect(await page.locator('#todo-count').textContent()).toBe('(2/2)');
    expect(await page.locator('#usage').textContent()).toMatch(/^[\d,]+ tokens · \$0\.0001$/);
  });

  it('lists artifacts and downloads one', { timeout: TEST_TIMEOUT }, async () => {
    const content = '# Notes\n\nWritten by the test.\n';
    await api.uploadArtifact(await openSessionId(), {
      filename: 'notes.md',
      contentType: 'text/markdown',
      data: new TextEncoder().encode(content),
    });
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download notes.md' }).click();
    const saved = await download;
    expect(saved.suggestedFilename()).toBe('notes.md');
    expect(await readFile((await saved.path())!, 'utf8')).toBe(content);
    expect(await page.locator('#artifact-count').textContent()).toBe('(1)');
  });

  it('sends with Enter and adds a line with Shift+Enter', { timeout: TEST_TIMEOUT }, async () => {
    const prompt = page.getByLabel('Prompt');
    await prompt.focus();
    await page.keyboard.type('first line');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('second line');
    expect(await prompt.inputValue()).toBe('first line\nsecond line');
    expect(await page.locator('.message.user').count()).toBe(1);
    await page.keyboard.press('Enter');
    await page.locator('.message.user', { hasText: 'second line' }).waitFor();
    expect(await page.locator('.message.user').last().textContent()).toBe('first line\nsecond line');
    expect(await prompt.inputValue()).toBe('');
    await reply().filter({ hasText: 'second line' }).waitFor();
    await page.locator('#session-status', { hasText: 'Idle' }).waitFor();
  });

  it('has no serious accessibility violation, light or dark, and saves the desktop screenshots', { timeout: TEST_TIMEOUT }, async () => {
    await page.locator('.tool summary').first().click(); // folded again: the reply is the subject
    await screenshot(page, 'cloud-web-desktop.png');
    expect(await seriousViolations(page), 'light').toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe('rgb(20, 23, 28)');
    await screenshot(page, 'cloud-web-dark.png');
    expect(await seriousViolations(page), 'dark').toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('announces the streaming reply politely and marks it busy until it ends', { timeout: TEST_TIMEOUT }, async () => {
    expect(await page.locator('#transcript').getAttribute('aria-live')).toBe('polite');
    await sendPrompt(page, 'Talk a while [stream:80]');
    const streaming = page.locator('.message.assistant.streaming[aria-busy="true"]');
    await streaming.filter({ hasText: 'part 2' }).waitFor();
    await page.locator('#session-status', { hasText: 'Idle' }).waitFor({ timeout: 20_000 });
    expect(await streaming.count()).toBe(0);
  });

  it('marks an aborted turn as stopped, also after a reload', { timeout: TEST_TIMEOUT }, async () => {
    await createSession(page);
    await sendPrompt(page, 'Talk for a long time [stream:3000]');
    await reply().filter({ hasText: 'part 3' }).waitFor();
    await page.getByRole('button', { name: 'Abort' }).click();
    const stopped = page.getByRole('note').filter({ hasText: 'Stopped: the turn was aborted.' });
    await stopped.waitFor();
    await page.reload();
    await stopped.waitFor();
    expect(await stopped.count()).toBe(1);
  });

  it('sends an answer once, and expires a question the abort left unanswered', { timeout: TEST_TIMEOUT }, async () => {
    await createSession(page);
    await sendPrompt(page, '[question] Draft the notes');
    let card = page.getByRole('group', { name: 'Question' });
    await card.getByRole('button', { name: 'short' }).click();
    // Hold the answer on its way, to see the card while it is being sent.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/question-reply', async (route) => {
      await held;
      await route.continue();
    });
    await card.getByRole('button', { name: 'Answer' }).click();
    expect(await card.getByRole('button', { name: 'Answer' }).isDisabled()).toBe(true);
    expect(await card.getByRole('button', { name: 'Dismiss' }).isDisabled()).toBe(true);
    release();
    await page.locator('.resolved', { hasText: 'Answered: short' }).waitFor();
    await page.unroute('**/question-reply');

    await sendPrompt(page, '[question] Another one');
    card = page.getByRole('group', { name: 'Question' });
    await card.waitFor();
    await page.getByRole('button', { name: 'Abort' }).click();
    await page.locator('.expired', { hasText: 'Question expired' }).waitFor();
    expect(await card.count()).toBe(0);
  });

  it("marks a queued prompt that an abort cancelled, with the cloud's note", { timeout: TEST_TIMEOUT }, async () => {
    await createSession(page);
    await sendPrompt(page, 'Talk for a long time [stream:3000]');
    await reply().filter({ hasText: 'part 3' }).waitFor();
    const queued = await api.promptSession(await openSessionId(), { text: 'Then summarise it' });
    await page.getByRole('button', { name: 'Abort' }).click();
    // The event the cloud appends for each prompt an abort cancelled before it ran (durable
    // execution), appended here in case this cloud ran the prompt at once instead of queueing it.
    const { commandId } = queued.command;
    const view = (await api.getSession(await openSessionId())).projection?.view as { errors?: Array<{ id: string }> } | undefined;
    if (!view?.errors?.some((error) => error.id === `${commandId}:runtime.cancelled`))
      await server.app.sessionEvents.append(await openSessionId(), [
        {
          type: 'runtime.error',
          payload: {
            id: `${commandId}:runtime.cancelled`,
            commandId,
            code: 'runtime.cancelled',
            message: 'An abort cancelled this prompt before it ran.',
          },
        },
      ]);
    await page.locator('.message.user', { hasText: 'Then summarise it' }).locator('.badge', { hasText: 'Cancelled: not run' }).waitFor();
    await page.getByRole('note').filter({ hasText: 'An abort cancelled this prompt before it ran.' }).first().waitFor();
  });

  it('fits a 390 px phone: nothing clipped, Send and Abort on screen under a message (screenshot)', { timeout: TEST_TIMEOUT }, async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true });
    try {
      const small = await phone.newPage();
      await small.goto(server.baseUrl);
      await signIn(small, await server.mintToken(['desktop']));
      // The list comes first on a phone; opening a session gives it the screen.
      await small.locator('#session-list li button', { hasText: 'Draft the notes' }).click();
      await small.locator('.message.assistant', { hasText: 'You answered' }).waitFor();
      await small.locator('#connection[data-state="live"]').waitFor();
      await screenshot(small, 'cloud-web-phone.png');
      expect(await seriousViolations(small), 'phone').toEqual([]);

      await small.route('**/api/sessions/*/prompt', (route) =>
        route.fulfill({
          status: 503,
          contentType: 'application/json',
          body: JSON.stringify({ error: 'The cloud is shutting down. '.repeat(6), code: 'server.shutting_down' }),
        }),
      );
      await small.getByLabel('Prompt').fill('Refused');
      await small.getByRole('button', { name: 'Send' }).click();
      await small.getByRole('alert').waitFor();
      for (const width of [390, 360]) {
        await small.setViewportSize({ width, height: 700 });
        expect(await small.evaluate(() => document.documentElement.scrollWidth), `${width} px`).toBeLessThanOrEqual(width);
        for (const name of ['Send', 'Abort']) {
          const box = (await small.getByRole('button', { name }).boundingBox())!;
          expect(box.y + box.height, `${name} at ${width} px`).toBeLessThanOrEqual(700);
          expect(box.x + box.width, `${name} at ${width} px`).toBeLessThanOrEqual(width);
        }
      }
      await small.getByRole('button', { name: 'Sessions' }).click();
      await small.getByRole('button', { name: 'New session' }).waitFor();
    } finally {
      await phone.close();
    }
  });
});
