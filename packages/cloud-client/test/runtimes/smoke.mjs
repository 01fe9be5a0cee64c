/**
 * The client's smoke program: the same few steps in every runtime that runs it (Node, Bun, Deno,
 * workerd, Chromium), against a running reference server. Plain ESM on web APIs only, importing the
 * built package; each runtime has a small entry file next to this one that passes the options and
 * reports the result line.
 *
 * Steps: a bad token gets a typed `unauthorized` error; create a session, subscribe to its events,
 * prompt it, see `session.idle`; a signal cancels a subscription and a command with kind `abort`.
 */
import { createHttpSseCloudTransportAdapter, isCloudTransportError } from '@open-cowork/cloud-client';

/** How long one step may take before the smoke gives up: generous for a loaded machine. */
const STEP_TIMEOUT_MS = 20_000;

/**
 * Runs the smoke against `baseUrl` with the API token `token`, and resolves to one result line:
 * `smoke ok (<runtime>, <transport>): …`, or `smoke FAILED (<runtime>, <transport>) at <step>: …`.
 *
 * `auth: 'bearer'` sends the token as a header (fetch-based SSE). `auth: 'cookie'` exchanges it for a
 * cookie session with `POST /auth/session` and sends the CSRF token; subscriptions then use the
 * browser's `EventSource` (browsers only: other runtimes keep no cookies).
 */
export async function smoke({ baseUrl, token, runtime, auth = 'bearer' }) {
  const label = `${runtime}, ${auth === 'cookie' ? 'EventSource + cookie' : 'fetch SSE + bearer'}`;
  let step = 'a bad token gets unauthorized';
  try {
    // First, before a cookie session exists: the server lets a valid session cookie win over a header.
    const refused = createHttpSseCloudTransportAdapter({ baseUrl, headers: { authorization: 'Bearer occ_tok_not_a_real_token' } });
    expectKind(await rejection(refused.listSessionsPage()), 'unauthorized', 401);

    step = 'sign in';
    const options = auth === 'cookie' ? await cookieOptions(baseUrl, token) : { baseUrl, headers: { authorization: `Bearer ${token}` } };
    const cloud = createHttpSseCloudTransportAdapter(options);

    step = 'create a session';
    const view = await cloud.createSession();
    const sessionId = view.session.sessionId;

    step = 'subscribe and prompt until session.idle';
    const types = await untilIdle(cloud, sessionId, view.projection?.sequence ?? 0, () =>
      cloud.promptSession(sessionId, { text: 'Smoke test [stream:3]' }),
    );
    if (!types.includes('assistant.message')) throw new Error(`no assistant.message before idle, saw ${types.join(', ')}`);

    step = 'a signal cancels with abort';
    await cancelled(options, sessionId);

    return `smoke ok (${label}): session ${sessionId} idle after ${types.length} events; unauthorized; abort`;
  } catch (error) {
    const kind = isCloudTransportError(error) ? ` [kind ${error.kind}]` : '';
    return `smoke FAILED (${label}) at ${step}: ${error?.message ?? error}${kind}`;
  }
}

/** Cookie-session options: the browser keeps the HttpOnly cookie, the page the CSRF token. */
async function cookieOptions(baseUrl, token) {
  const response = await fetch(`${baseUrl}/auth/session`, {
    method: 'POST',
    credentials: 'include',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  if (!response.ok) throw new Error(`POST /auth/session answered ${response.status}`);
  const { csrfToken } = await response.json();
  return { baseUrl, credentials: 'include', csrfToken };
}

/** Subscribes from `afterSequence`, then calls `start`; resolves to the event types seen up to `session.idle`. */
function untilIdle(cloud, sessionId, afterSequence, start) {
  return new Promise((resolve, reject) => {
    const types = [];
    const finish = (settle, value) => {
      clearTimeout(timer);
      subscription.close();
      settle(value);
    };
    const timer = setTimeout(
      () => finish(reject, new Error(`no session.idle within ${STEP_TIMEOUT_MS} ms, saw ${types.join(', ') || 'nothing'}`)),
      STEP_TIMEOUT_MS,
    );
    const subscription = cloud.subscribeSessionEvents(sessionId, {
      afterSequence,
      onEvent(event) {
        types.push(event.type);
        if (event.type === 'session.idle') finish(resolve, types);
      },
      onError: (error) => finish(reject, error),
      onClose: () => finish(reject, new Error('the server ended the stream before session.idle')),
    });
    start().catch((error) => finish(reject, error));
  });
}

/**
 * The client-wide signal cancels an open subscription (once its first, replayed event arrived) and a
 * call's own signal cancels an in-flight command: both report kind `abort`.
 */
async function cancelled(options, sessionId) {
  const controller = new AbortController();
  const cloud = createHttpSseCloudTransportAdapter({ ...options, signal: controller.signal });
  const subscriptionFailure = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the aborted subscription reported nothing within ${STEP_TIMEOUT_MS} ms`)),
      STEP_TIMEOUT_MS,
    );
    cloud.subscribeSessionEvents(sessionId, {
      onEvent: () => controller.abort(),
      onError(error) {
        clearTimeout(timer);
        resolve(error);
      },
    });
  });
  expectKind(subscriptionFailure, 'abort');

  const call = new AbortController();
  const command = rejection(
    createHttpSseCloudTransportAdapter(options).promptSession(sessionId, { text: 'cancelled' }, { signal: call.signal }),
  );
  call.abort();
  expectKind(await command, 'abort');
}

function expectKind(error, kind, status) {
  if (!isCloudTransportError(error) || error.kind !== kind || (status !== undefined && error.status !== status)) {
    throw new Error(`expected a CloudTransportError of kind ${kind}${status ? ` (HTTP ${status})` : ''}, got ${describe(error)}`);
  }
}

const describe = (error) => (isCloudTransportError(error) ? `kind ${error.kind} (HTTP ${error.status}): ${error.message}` : String(error));

/** The rejection of `promise`; a resolution is itself the failure. */
function rejection(promise) {
  return promise.then(
    () => {
      throw new Error('the call succeeded');
    },
    (error) => error,
  );
}
