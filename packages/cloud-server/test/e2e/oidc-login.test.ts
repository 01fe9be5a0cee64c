import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, SETUP_TIMEOUT, withChromium } from '@open-cowork/test-support/chromium';
import { safeReturnTo } from '../../src/auth/oidc-login.js';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';

/** The people the provider knows; `owner` has the cloud owner's verified email. */
const ACCOUNTS: Record<string, { email: string; email_verified: boolean; name: string }> = {
  owner: { email: 'owner@localhost', email_verified: true, name: 'Owner at the provider' },
};

/** A real OpenID provider (`oidc-provider`) on 127.0.0.1 with its development login and consent pages. */
async function startProvider(): Promise<{ issuer: string; register(redirectUri: string): void; close(): Promise<void> }> {
  let handler: (request: IncomingMessage, response: ServerResponse) => void = (_request, response) => response.writeHead(503).end();
  const server: Server = createServer((request, response) => handler(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    register(redirectUri) {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: 'cloud-web',
            token_endpoint_auth_method: 'none',
            redirect_uris: [redirectUri],
            response_types: ['code'],
            grant_types: ['authorization_code'],
          },
        ],
        findAccount: (_context, sub) => (ACCOUNTS[sub] ? { accountId: sub, claims: () => ({ sub, ...ACCOUNTS[sub] }) } : undefined),
        claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
        // The ID token carries the scope's claims: the cloud reads the identity from it.
        conformIdTokenClaims: false,
        cookies: { keys: ['oidc-provider-test-cookie-key'] },
      });
      handler = provider.callback();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.runIf(withChromium)('OIDC sign-in of Cloud Web (authorization code + PKCE) in Chromium', () => {
  let provider: Awaited<ReturnType<typeof startProvider>>;
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    provider = await startProvider();
    server = await startTestServer({
      config: {
        oidc: { issuer: provider.issuer, audience: 'cloud-web', jwksUrl: null, clientId: 'cloud-web', scope: 'openid email profile' },
      },
    });
    provider.register(`${server.baseUrl}/auth/callback`);
    browser = await launchChromium();
    page = await browser.newPage();
    // The provider's pages load a web font: no calls leave the machine.
    await page.route(
      (url) => !url.href.startsWith('http://127.0.0.1'),
      (route) => route.abort(),
    );
  }, SETUP_TIMEOUT);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await provider?.close();
  });

  /** Follows the provider's login and consent pages until the browser is back on the cloud. */
  async function signInAtProvider(login: string): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (!page.url().startsWith(server.baseUrl)) {
      if (Date.now() > deadline) throw new Error(`stuck at ${page.url()}`);
      const form = page.locator('input[name="login"]');
      const consent = page.getByRole('button', { name: 'Continue' });
      if (await form.isVisible()) {
        await form.fill(login);
        await page.locator('input[name="password"]').fill('any');
        await Promise.all([page.waitForNavigation({ waitUntil: 'commit' }), page.getByRole('button', { name: 'Sign-in' }).click()]);
      } else if (await consent.isVisible()) {
        await Promise.all([page.waitForNavigation({ waitUntil: 'commit' }), consent.click()]);
      } else {
        await page.waitForTimeout(100);
      }
    }
    await page.waitForLoadState('domcontentloaded');
  }

  const pageJson = async () => JSON.parse((await page.locator('body').textContent()) || 'null') as Record<string, any>;

  it('says where Cloud Web starts the OIDC sign-in', async () => {
    const response = await fetch(`${server.baseUrl}/auth/desktop/config`);
    expect(await response.json()).toMatchObject({ webLoginUrl: '/auth/login' });
  });

  it('signs in through the provider and lands on returnTo with a cookie session of the member', async () => {
    await page.goto(`${server.baseUrl}/auth/login?returnTo=/auth/me`, { waitUntil: 'domcontentloaded' });
    expect(page.url()).toMatch(new RegExp(`^${provider.issuer}/`));
    await signInAtProvider('owner');
    expect(page.url()).toBe(`${server.baseUrl}/auth/me`);
    const me = await pageJson();
    expect(me.principal).toMatchObject({ authSource: 'cookie', email: 'owner@localhost', role: 'owner', tokenId: null });
    expect(me.csrfToken).toEqual(expect.any(String));
    const cookies = await page.context().cookies(server.baseUrl);
    expect(cookies.find((cookie) => cookie.name === 'open_cowork_cloud_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    const sessions = await page.evaluate(async () => (await fetch('/auth/sessions')).json());
    expect(sessions.sessions[0]).toMatchObject({ method: 'oidc', current: true });
  });

  it('refuses a callback whose state does not match the sign-in it claims to finish', async () => {
    await page.context().clearCookies(); // no provider session: the sign-in waits at the provider's form
    await page.goto(`${server.baseUrl}/auth/login?returnTo=/auth/me`, { waitUntil: 'domcontentloaded' });
    expect(page.url()).toMatch(new RegExp(`^${provider.issuer}/`));
    const forged = await page.goto(`${server.baseUrl}/auth/callback?code=stolen-code&state=forged-state`, {
      waitUntil: 'domcontentloaded',
    });
    expect(forged!.status()).toBe(401);
    expect(await pageJson()).toMatchObject({ code: 'auth.oidc_login_failed' });
    const replayed = await page.goto(`${server.baseUrl}/auth/callback?code=stolen-code&state=forged-state`, {
      waitUntil: 'domcontentloaded',
    });
    expect(replayed!.status()).toBe(400);
    expect(await pageJson()).toMatchObject({ code: 'auth.oidc_login_expired' });
  });

  it('sends the browser to / instead of another origin named in returnTo', async () => {
    await page.context().clearCookies();
    await page.goto(`${server.baseUrl}/auth/login?returnTo=//evil.example/steal`, { waitUntil: 'domcontentloaded' });
    await signInAtProvider('owner');
    expect(page.url()).toBe(`${server.baseUrl}/`);
  });
});

describe('returnTo', () => {
  it.each([
    ['/sessions?id=1', '/sessions?id=1'],
    [undefined, '/'],
    ['https://evil.example/', '/'],
    ['//evil.example/', '/'],
    ['/\\evil.example/', '/'],
    ['/ok\nSet-Cookie: x', '/'],
  ])('keeps only same-origin paths: %s → %s', (returnTo, expected) => {
    expect(safeReturnTo(returnTo)).toBe(expected);
  });
});
