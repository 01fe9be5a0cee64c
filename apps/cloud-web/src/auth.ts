import { CloudTransportError, type CloudTransportErrorKind } from '@open-cowork/cloud-client';

/** The cookie session as `/auth/session` and `/auth/me` describe it. */
export interface CookieSession {
  email: string;
  csrfToken: string;
}

interface AuthBody {
  principal?: { email?: unknown };
  csrfToken?: unknown;
}

function kindOf(status: number): CloudTransportErrorKind {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 429) return 'rate_limited';
  return status >= 500 ? 'server' : 'http';
}

/**
 * The `/auth/*` routes sit outside `/api/`, where the client does not go, so they are plain
 * same-origin fetches; failures become `CloudTransportError`s so one explainer covers both.
 */
async function call(method: 'GET' | 'POST', path: string, init: { body?: object; csrfToken?: string | null } = {}): Promise<AuthBody> {
  const headers: Record<string, string> = {};
  if (init.body) headers['content-type'] = 'application/json';
  if (init.csrfToken) headers['x-csrf-token'] = init.csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(init.body ? { body: JSON.stringify(init.body) } : {}),
    });
  } catch (cause) {
    throw new CloudTransportError('network', `${method} ${path} failed.`, { method, url: path, cause });
  }
  const body = (await response.json().catch(() => null)) as (AuthBody & { code?: string }) | null;
  if (!response.ok) {
    throw new CloudTransportError(kindOf(response.status), `${method} ${path} answered ${response.status}.`, {
      status: response.status,
      method,
      url: path,
      code: body?.code ?? null,
      requestId: response.headers.get('x-request-id'),
      body,
    });
  }
  return body ?? {};
}

function sessionOf(body: AuthBody): CookieSession {
  const email = typeof body.principal?.email === 'string' ? body.principal.email : '';
  // Signed in with a bearer header, not a cookie: there is no CSRF token and nothing to resume.
  if (typeof body.csrfToken !== 'string') throw new CloudTransportError('unauthorized', 'No cookie session.');
  return { email, csrfToken: body.csrfToken };
}

/** Turns an access token into the cookie session; the token is not kept anywhere afterwards. */
export async function signIn(token: string): Promise<CookieSession> {
  return sessionOf(await call('POST', '/auth/session', { body: { token } }));
}

/** The current cookie session; `unauthorized` when there is none. */
export async function currentSession(): Promise<CookieSession> {
  return sessionOf(await call('GET', '/auth/me'));
}

export async function signOut(csrfToken: string | null): Promise<void> {
  await call('POST', '/auth/logout', { csrfToken });
}

/**
 * Where this cloud's OIDC sign-in starts, or null when it has none: `/auth/desktop/config` answers
 * 200 only when OIDC is configured, and names `webLoginUrl` only when the web login flow is too.
 */
export async function oidcLoginUrl(): Promise<string | null> {
  try {
    const response = await fetch('/auth/desktop/config', { credentials: 'same-origin' });
    if (!response.ok) return null;
    const { webLoginUrl } = (await response.json()) as { webLoginUrl?: unknown };
    return typeof webLoginUrl === 'string' && webLoginUrl.startsWith('/') ? webLoginUrl : null;
  } catch {
    return null;
  }
}
