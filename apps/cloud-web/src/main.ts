import { createHttpSseCloudTransportAdapter, isCloudTransportError, type CloudCommandOptions } from '@open-cowork/cloud-client';
import type { CloudSessionProjectionView, SessionRecord } from '@open-cowork/shared';
import { currentSession, signIn, signOut } from './auth.js';
import { byId } from './dom.js';
import { explain, isCsrfRefusal } from './errors.js';
import { openLiveSession, type Connection, type LiveSession } from './live-session.js';
import { renderSessionList, renderTranscript, sessionLabel, type TranscriptActions } from './render.js';

const ui = {
  who: byId('who'),
  signOut: byId<HTMLButtonElement>('sign-out'),
  notice: byId('notice'),
  signIn: byId('sign-in'),
  signInForm: byId<HTMLFormElement>('sign-in-form'),
  token: byId<HTMLInputElement>('token'),
  workbench: byId('workbench'),
  newSession: byId<HTMLButtonElement>('new-session'),
  sessionList: byId('session-list'),
  session: byId('session'),
  empty: byId('empty'),
  title: byId('session-title'),
  status: byId('session-status'),
  connection: byId('connection'),
  transcript: byId('transcript'),
  composer: byId<HTMLFormElement>('composer'),
  prompt: byId<HTMLTextAreaElement>('prompt'),
  send: byId<HTMLButtonElement>('send'),
  abort: byId<HTMLButtonElement>('abort'),
};

// The CSRF token of the cookie session. It is no credential by itself (the HttpOnly cookie is, and
// page JavaScript never sees it); the server accepts it only together with that cookie.
let csrfToken: string | null = null;
let sessions: SessionRecord[] = [];
let live: LiveSession | null = null;

// No headers: subscriptions use EventSource and the cookie authenticates everything.
const cloud = createHttpSseCloudTransportAdapter({ baseUrl: '', credentials: 'include', csrfToken: () => csrfToken });

function notify(message: string | null, tone: 'error' | 'info' = 'error'): void {
  ui.notice.textContent = message ?? '';
  ui.notice.dataset.tone = tone;
  ui.notice.hidden = message === null;
}

function showSignIn(message: string | null): void {
  live?.close();
  csrfToken = null;
  ui.workbench.hidden = true;
  ui.signOut.hidden = true;
  ui.who.textContent = '';
  ui.signIn.hidden = false;
  notify(message, 'info');
  ui.token.focus();
}

function fail(error: unknown, doing: string): void {
  const explained = explain(error, doing);
  if (explained.signIn) showSignIn(explained.message);
  else notify(explained.message);
}

/** An idempotency key from `getRandomValues`, which (unlike `randomUUID`) works on plain http too. */
function newKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Runs a mutating command. A CSRF refusal means our token is stale (signed in again in another
 * tab, say): fetch the current one and retry once with the same idempotency key, so the server
 * cannot apply the command twice. Null when it failed (already explained to the person).
 */
async function mutate<T>(doing: string, command: (options: CloudCommandOptions) => Promise<T>): Promise<T | null> {
  const options = { idempotencyKey: newKey() };
  try {
    try {
      return await command(options);
    } catch (error) {
      if (!isCsrfRefusal(error)) throw error;
      csrfToken = (await currentSession()).csrfToken;
      return await command(options);
    }
  } catch (error) {
    fail(error, doing);
    return null;
  }
}

const CONNECTION_TEXT: Record<Connection, string> = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…' };

function showView(next: CloudSessionProjectionView): void {
  const record = sessions.find((session) => session.sessionId === next.sessionId);
  ui.title.textContent = next.title ?? (record ? sessionLabel(record) : 'Session');
  ui.status.textContent = next.isGenerating ? 'Working…' : 'Idle';
  ui.status.dataset.state = next.isGenerating ? 'busy' : 'idle';
  ui.abort.disabled = !next.isGenerating;
  renderTranscript(ui.transcript, next, transcriptActions);
}

let checkingSession = false;
/**
 * A stream that keeps failing may mean the cookie session ended (EventSource cannot tell a 401):
 * ask, one check at a time. Anything else is a connection problem the indicator already shows.
 */
async function checkSignedIn(): Promise<void> {
  if (checkingSession) return;
  checkingSession = true;
  try {
    await currentSession();
  } catch (error) {
    const explained = explain(error, 'follow the session');
    if (explained.signIn) showSignIn(explained.message);
  } finally {
    checkingSession = false;
  }
}

function openSession(sessionId: string): void {
  live?.close();
  history.replaceState(null, '', `#${encodeURIComponent(sessionId)}`);
  ui.session.hidden = false;
  ui.empty.hidden = true;
  ui.transcript.replaceChildren();
  renderSessionList(ui.sessionList, sessions, sessionId, openSession);
  live = openLiveSession(cloud, sessionId, {
    onView: showView,
    onConnection(state) {
      ui.connection.textContent = CONNECTION_TEXT[state];
      ui.connection.dataset.state = state;
    },
    onError: (error) => fail(error, 'open the session'),
    onStreamError: () => void checkSignedIn(),
  });
}

async function refreshSessions(): Promise<void> {
  try {
    sessions = (await cloud.listSessionsPage({ limit: 50 })).sessions;
    renderSessionList(ui.sessionList, sessions, live?.sessionId ?? null, openSession);
  } catch (error) {
    fail(error, 'list the sessions');
  }
}

/** The open session is kept in the URL fragment, so that a reload comes back to it. */
function rememberedSession(): string | null {
  try {
    return decodeURIComponent(location.hash.slice(1)) || null;
  } catch {
    return null; // a hand-edited fragment that is not valid percent-encoding
  }
}

async function enterWorkbench(email: string): Promise<void> {
  ui.signIn.hidden = true;
  ui.workbench.hidden = false;
  ui.signOut.hidden = false;
  ui.who.textContent = email;
  await refreshSessions();
  const remembered = rememberedSession();
  if (remembered) openSession(remembered);
}

const transcriptActions: TranscriptActions = {
  respondToPermission(permissionId, allow) {
    const id = live?.sessionId;
    if (id) void mutate('answer the permission request', (o) => cloud.respondToPermission(id, { permissionId, response: allow ? 'allow' : 'deny' }, o));
  },
  answerQuestion(requestId, answers) {
    const id = live?.sessionId;
    if (id) void mutate('answer the question', (o) => cloud.replyToQuestion(id, { requestId, answers }, o));
  },
  dismissQuestion(requestId) {
    const id = live?.sessionId;
    if (id) void mutate('dismiss the question', (o) => cloud.rejectQuestion(id, { requestId }, o));
  },
};

ui.signInForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  notify(null);
  try {
    const session = await signIn(ui.token.value);
    // From here on the cookie does the work: the token is dropped from the page.
    ui.token.value = '';
    csrfToken = session.csrfToken;
    await enterWorkbench(session.email);
  } catch (error) {
    const refused = isCloudTransportError(error) && error.kind === 'unauthorized';
    notify(refused ? 'This token was not accepted. Check it and try again.' : explain(error, 'sign in').message);
  }
});

ui.signOut.addEventListener('click', async () => {
  try {
    await signOut(csrfToken);
  } catch {
    // Signed out on the server or not, this page forgets the session.
  }
  history.replaceState(null, '', location.pathname);
  showSignIn('Signed out.');
});

ui.newSession.addEventListener('click', async () => {
  notify(null);
  const created = await mutate('create a session', (o) => cloud.createSession({}, o));
  if (!created) return;
  await refreshSessions();
  openSession(created.session.sessionId);
  ui.prompt.focus();
});

ui.composer.addEventListener('submit', async (event) => {
  event.preventDefault();
  const sessionId = live?.sessionId;
  const text = ui.prompt.value.trim();
  if (!sessionId || !text) return;
  notify(null);
  ui.send.disabled = true;
  const sent = await mutate('send the prompt', (o) => cloud.promptSession(sessionId, { text }, o));
  ui.send.disabled = false;
  if (sent) ui.prompt.value = '';
});

ui.prompt.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) ui.composer.requestSubmit();
});

ui.abort.addEventListener('click', () => {
  const sessionId = live?.sessionId;
  if (sessionId) void mutate('abort the turn', (o) => cloud.abortSession(sessionId, o));
});

currentSession().then(
  (session) => {
    csrfToken = session.csrfToken;
    return enterWorkbench(session.email);
  },
  (error: unknown) => {
    const explained = explain(error, 'check the sign-in');
    showSignIn(explained.signIn ? null : explained.message);
  },
);
