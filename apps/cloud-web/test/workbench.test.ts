import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '@open-cowork/test-support/server';
import { withChromium, SETUP_TIMEOUT } from '@open-cowork/test-support/chromium';
import { createSession, openWorkbench, sendPrompt, signIn, TEST_TIMEOUT } from './browser.js';

/** Every string in the page's JavaScript heap after a full collection, as one searchable text. */
async function heapStrings(page: Page): Promise<string> {
  const cdp = await page.context().newCDPSession(page);
  const chunks: string[] = [];
  cdp.on('HeapProfiler.addHeapSnapshotChunk', ({ chunk }) => chunks.push(chunk));
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  await cdp.detach();
  return chunks.join('');
}

describe.runIf(withChromium)('Cloud Web workbench in Chromium', () => {
  const workbench = openWorkbench({ context: { viewport: { width: 1200, height: 760 } } });
  let server: TestServer;
  let context: BrowserContext;
  let page: Page;
  let token: string;

  beforeAll(async () => {
    ({ server, context, page } = workbench);
    token = await server.mintToken(['desktop']);
    await page.goto(server.baseUrl);
  }, SETUP_TIMEOUT);

  it('signs in with a token, then keeps only the cookie session: no token in the DOM, storage or heap', {
    timeout: TEST_TIMEOUT,
  }, async () => {
    await page.getByLabel('Access token').waitFor();
    await signIn(page, token);
    expect(await page.locator('#who').textContent()).toBe('owner@localhost');

    const cookies = await context.cookies(server.baseUrl);
    const session = cookies.find((cookie) => cookie.name === 'open_cowork_cloud_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false });

    const held = await page.evaluate(() => ({
      input: (document.getElementById('token') as HTMLInputElement).value,
      html: document.documentElement.outerHTML,
      storage: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
      cookies: document.cookie,
    }));
    expect(held.input).toBe('');
    for (const place of [held.html, held.storage, held.cookies]) expect(place).not.toContain(token);
    expect(await heapStrings(page)).not.toContain(token);
  });

  it('creates a session and streams the assistant reply in live over EventSource', { timeout: TEST_TIMEOUT }, async () => {
    const streams: string[] = [];
    page.on('request', (request) => {
      if (request.resourceType() === 'eventsource') streams.push(request.url());
    });
    await createSession(page);
    await sendPrompt(page, 'Count for me [stream:100]');

    const reply = page.locator('.message.assistant');
    await reply.filter({ hasText: 'part 5 ' }).waitFor();
    // Seen while the turn is still running: the reply arrives part by part, not at the end.
    expect(await reply.textContent()).not.toContain('part 100 ');
    expect(await page.locator('#session-status').textContent()).toBe('Working…');
    await reply.filter({ hasText: 'part 100 ' }).waitFor();
    await page.locator('#session-status', { hasText: 'Idle' }).waitFor();

    expect(streams.some((url) => /\/api\/sessions\/[^/]+\/events/.test(url))).toBe(true);
    const parts = (await reply.textContent())!
      .trim()
      .split(/\s*part /)
      .filter(Boolean)
      .map(Number);
    expect(parts).toEqual(Array.from({ length: 100 }, (_, n) => n + 1));
  });

  it('answers a permission request, and the turn goes on with the allowed tool', { timeout: TEST_TIMEOUT }, async () => {
    await createSession(page);
    await sendPrompt(page, '[permission] List the project files');
    const card = page.getByRole('group', { name: 'Permission request' });
    await card.filter({ hasText: 'Permission requested: bash' }).waitFor();
    await card.getByRole('button', { name: 'Allow' }).click();

    await page.locator('.resolved', { hasText: 'Allowed: bash' }).waitFor();
    await page.locator('.tool', { hasText: 'complete' }).waitFor();
    await page.locator('.message.assistant', { hasText: 'Scripted reply to "[permission] List the project files".' }).waitFor();
    expect(await card.count()).toBe(0);
  });

  it('answers a question mid-conversation and shows the answer in the reply', { timeout: TEST_TIMEOUT }, async () => {
    await createSession(page);
    await sendPrompt(page, 'Summarise the open tasks');
    await page.locator('#session-status', { hasText: 'Idle' }).waitFor();
    await sendPrompt(page, '[question] Draft the release notes');
    const card = page.getByRole('group', { name: 'Question' });
    await card.filter({ hasText: 'Which format should the answer use?' }).waitFor();
    await card.getByRole('button', { name: 'short' }).click();

    await card.getByRole('button', { name: 'Answer' }).click();
    await page.locator('.resolved', { hasText: 'Answered: short' }).waitFor();
    await page.locator('.message.assistant', { hasText: 'You answered: [["short"]].' }).waitFor();
  });

  it('dismisses a question', { timeout: TEST_TIMEOUT }, async () => {
    await createSession(page);
    await sendPrompt(page, '[question] Pick one');
    await page.getByRole('group', { name: 'Question' }).getByRole('button', { name: 'Dismiss' }).click();
    await page.locator('.resolved', { hasText: 'Question dismissed' }).waitFor();
    await page.locator('.message.assistant', { hasText: 'You declined the question.' }).waitFor();
  });

  it('aborts a running turn: the stream stops and the session is idle', { timeout: TEST_TIMEOUT }, async () => {
    await createSession(page);
    await sendPrompt(page, 'Talk for a long time [stream:3000]');
    await page.locator('.message.assistant', { hasText: 'part 3 ' }).waitFor();
    await page.getByRole('button', { name: 'Abort' }).click();

    await page.locator('#session-status', { hasText: 'Idle' }).waitFor();
    expect(await page.getByRole('button', { name: 'Abort' }).isDisabled()).toBe(true);
    // Idle comes from `session.aborted`, after which the server accepts nothing more of the turn.
    expect(await page.locator('.message.assistant').textContent()).not.toContain('part 3000 ');
  });

  it('shows a runtime error as a readable note in the transcript', { timeout: TEST_TIMEOUT }, async () => {
    await createSession(page);
    await sendPrompt(page, 'Fail please [error]');
    await page.getByRole('note').filter({ hasText: 'The scripted runtime failed on request ([error]).' }).waitFor();
  });

  it('explains 402, 403 and 429 answers in words', { timeout: TEST_TIMEOUT }, async () => {
    await createSession(page);
    const answers = [
      {
        status: 402,
        body: { error: 'Prompts need a plan.', code: 'billing.prompts_not_entitled' },
        says: 'your plan does not include this (billing.prompts_not_entitled)',
      },
      {
        status: 403,
        body: { error: 'Prompts are off for your role.', code: 'policy.denied' },
        says: 'this is not allowed (policy.denied). Prompts are off for your role.',
      },
      {
        status: 429,
        body: { error: 'Slow down.', code: 'rate_limit.http_exceeded', retryAfterMs: 7000 },
        says: 'too many requests. Try again in 7 s.',
      },
    ];
    for (const answer of answers) {
      await page.route('**/api/sessions/*/prompt', (route) =>
        route.fulfill({ status: answer.status, contentType: 'application/json', body: JSON.stringify(answer.body) }),
      );
      await page.getByLabel('Prompt').fill(`Refused with ${answer.status}`);
      await page.getByRole('button', { name: 'Send' }).click();
      await page
        .getByRole('alert')
        .filter({ hasText: `Could not send the prompt: ${answer.says}` })
        .waitFor();
      // The text stays, so the person can send it again once the cause is fixed.
      expect(await page.getByLabel('Prompt').inputValue()).toBe(`Refused with ${answer.status}`);
      await page.unroute('**/api/sessions/*/prompt');
    }
  });

  it('reloads into the same session from the cookie and its cursor, showing every event once', { timeout: TEST_TIMEOUT }, async () => {
    await createSession(page);
    await sendPrompt(page, 'Remember this');
    await page.locator('.message.assistant', { hasText: 'Scripted reply to "Remember this".' }).waitFor();
    await page.locator('#session-status', { hasText: 'Idle' }).waitFor();

    await page.reload();
    await page.locator('.message.assistant', { hasText: 'Scripted reply to "Remember this".' }).waitFor();
    await page.locator('#connection[data-state="live"]').waitFor();
    await sendPrompt(page, 'And this');
    await page.locator('.message.assistant', { hasText: 'Scripted reply to "And this".' }).waitFor();
    const messages = await page.locator('.message').allTextContents();
    expect(messages).toEqual(['Remember this', 'Scripted reply to "Remember this".', 'And this', 'Scripted reply to "And this".']);
  });

  it('asks to sign in again after a 401, and carries on once signed in', { timeout: TEST_TIMEOUT }, async () => {
    await context.clearCookies();
    await page.getByRole('button', { name: 'New session' }).click();
    await page.getByRole('alert').filter({ hasText: 'Your session has ended. Sign in again.' }).waitFor();
    expect(await page.locator('#workbench').isHidden()).toBe(true);

    await signIn(page, token);
    await createSession(page);
  });

  it('signs out: the cookie session ends and the sign-in form is back', { timeout: TEST_TIMEOUT }, async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('alert').filter({ hasText: 'Signed out.' }).waitFor();
    await page.reload();
    await page.getByLabel('Access token').waitFor();
    expect((await context.cookies(server.baseUrl)).map((cookie) => cookie.name)).not.toContain('open_cowork_cloud_session');
  });
});
