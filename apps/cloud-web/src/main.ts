import { createHttpSseCloudTransportAdapter, isCloudTransportError, type CloudCommandOptions } from '@open-cowork/cloud-client';
import type { CloudSessionView, ProjectionArtifact } from '@open-cowork/shared';
import { currentSession, oidcLoginUrl, signIn, signOut } from './auth.js';
import { byId } from './dom.js';
import { explain, isConnectionFailure, isCsrfRefusal } from './errors.js';
import { openLiveSession, type Connection, type LiveSession, type SessionState } from './live-session.js';
import { renderArtifacts, renderTodos, renderTranscript, sessionLabel, usageText, type TranscriptActions } from './render.js';
import { createSessionList } from './session-list.js';

const ui = {
  who: byId('who'),
  signOut: byId<HTMLButtonElement>('sign-out'),
  toggleSessions: byId<HTMLButtonElement>('toggle-sessions'),
  notice: byId('notice'),
  noticeText: byId('notice-text'),
  noticeDismiss: byId<HTMLButtonElement>('notice-dismiss'),
  signIn: byId('sign-in'),
  oidc: byId<HTMLAnchorElement>('oidc-sign-in'),
  signInForm: byId<HTMLFormElement>('sign-in-form'),
  token: byId<HTMLInputElement>('token'),
  workbench: byId('workbench'),
  sessions: byId('sessions'),
  newSession: byId<HTMLButtonElement>('new-session'),
  session: byId('session'),
  empty: byId('empty'),
  title: byId('session-title'),
  rename: byId<HTMLButtonElement>('rename'),
  renameForm: byId<HTMLFormElement>('rename-form'),
  renameInput: byId<HTMLInputElement>('rename-input'),
  renameCancel: byId<HTMLButtonElement>('rename-cancel'),
  closeSession: byId<HTMLButtonElement>('close-session'),
  status: byId('session-status'),
  usage: byId('usage'),
  connection: byId('connection'),
  transcript: byId('transcript'),
  todosPanel: byId<HTMLDetailsElement>('todos-panel'),
  todos: byId('todos'),
  todoCount: byId('todo-count'),
  artifactsPanel: byId<HTMLDetailsElement>('artifacts-panel'),
  artifacts: byId('artifacts'),
  artifactCount: byId('artifact-count'),
  composer: byId<HTMLFormElement>('composer'),
  prompt: byId<HTMLTextAreaElement>('prompt'),
  send: byId<HTMLButtonElement>('send'),
  abort: byId<HTMLButtonElement>('abort'),
};

// The CSRF token of the cookie session. It is no credential by itself (the HttpOnly cookie is, and
// page JavaScript never sees it); the server accepts it only together with that cookie.
let csrfToken: string | null = null;
let live: LiveSession | null = null;

// No headers: subscriptions use EventSource and the cookie authenticates everything.
const cloud = createHttpSseCloudTransportAdapter({ baseUrl: '', credentials: 'include', csrfToken: () => csrfToken });

/** The message banner. One that says the cloud cannot be reached clears itself once it can. */
function notify(message: string | null, tone: 'error' | 'info' = 'error', connection = false): void {
  ui.noticeText.textContent = message ?? '';
  ui.notice.dataset.tone = tone;
  ui.notice.dataset.connection = String(connection);
  ui.notice.hidden = message === null;
}

function showSignIn(message: string | null): void {
  live?.close();
  live = null;
  csrfToken = null;
  ui.toggleSessions.hidden = true;
  void oidcLoginUrl().then((url) => {
    ui.oidc.hidden = url === null;
    if (url) ui.oidc.href = url;
  });
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
  else notify(explained.message, 'error', isConnectionFailure(error));
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

const CONNECTION_TEXT: Record<Connection, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline, retrying',
};

let state: SessionState | null = null;

function showState(next: SessionState): void {
  state = next;
  const { record, view } = next;
  const closed = record.status === 'closed';
  ui.title.textContent = record.title ?? view.title ?? sessionLabel(record);
  ui.status.textContent = closed ? 'Closed' : view.isGenerating ? 'Working…' : 'Idle';
  ui.status.dataset.state = closed ? 'closed' : view.isGenerating ? 'busy' : 'idle';
  ui.usage.textContent = usageText(next);
  ui.abort.disabled = !view.isGenerating;
  ui.closeSession.hidden = closed;
  ui.prompt.disabled = closed;
  ui.send.disabled = closed;
  ui.prompt.placeholder = closed
    ? 'This session is closed: it takes no more prompts.'
    : 'Ask something… (Enter sends, Shift+Enter adds a line)';
  renderTranscript(ui.transcript, next, transcriptActions);
  renderTodos(ui.todos, next);
  ui.todoCount.textContent = view.todos.length
    ? `(${view.todos.filter((todo) => todo.status === 'completed').length}/${view.todos.length})`
    : '';
  renderArtifacts(ui.artifacts, next, transcriptActions);
  ui.artifactCount.textContent = view.artifacts.length ? `(${view.artifacts.length})` : '';
}

function showConnection(connection: Connection): void {
  ui.connection.textContent = CONNECTION_TEXT[connection];
  ui.connection.dataset.state = connection;
  // Back in touch with the cloud: a "cannot be reached" message is no longer true.
  if (connection === 'live' && ui.notice.dataset.connection === 'true') notify(null);
}

/** The answer of a command carries the session record: its title (named after the first prompt) or status. */
function recordChanged(view: CloudSessionView): void {
  sessionList.upsert(view.session);
  if (live?.sessionId === view.session.sessionId) live.updateRecord(view.session);
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

const narrow = window.matchMedia('(max-width: 760px)');

function showSessionList(open: boolean): void {
  ui.workbench.classList.toggle('list-open', open);
  ui.toggleSessions.setAttribute('aria-expanded', String(open));
}

function openSession(sessionId: string): void {
  live?.close();
  state = null;
  history.replaceState(null, '', `#${encodeURIComponent(sessionId)}`);
  ui.session.hidden = false;
  ui.empty.hidden = true;
  ui.renameForm.hidden = true;
  ui.title.hidden = false;
  ui.rename.hidden = false;
  ui.transcript.replaceChildren();
  ui.todos.replaceChildren();
  ui.artifacts.replaceChildren();
  showConnection('connecting');
  sessionList.select(sessionId);
  if (narrow.matches) showSessionList(false);
  live = openLiveSession(cloud, sessionId, {
    onState: showState,
    onConnection: showConnection,
    onError: (error) => fail(error, 'open the session'),
    onStreamError: () => void checkSignedIn(),
  });
}

const sessionList = createSessionList(
  cloud,
  {
    list: byId('session-list'),
    search: byId<HTMLInputElement>('session-search'),
    more: byId('session-more'),
    status: byId('session-list-status'),
  },
  { open: openSession, fail },
);

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
  ui.toggleSessions.hidden = false;
  ui.who.textContent = email;
  await sessionList.reload();
  const remembered = rememberedSession();
  if (remembered) openSession(remembered);
  else if (narrow.matches) showSessionList(true);
}

/** The bytes of a base64 `data:` URL (the page's content security policy keeps `fetch` off `data:`). */
function blobOfDataUrl(url: string): Blob {
  const comma = url.indexOf(',');
  const type = url.slice(5, comma).replace(/;base64$/, '');
  const binary = atob(url.slice(comma + 1));
  return new Blob([Uint8Array.from(binary, (character) => character.charCodeAt(0))], { type });
}

/** Saves an artifact through a same-origin blob URL (the content arrives as a `data:` URL). */
async function downloadArtifact(artifact: ProjectionArtifact): Promise<void> {
  const sessionId = live?.sessionId;
  if (!sessionId) return;
  try {
    const { url, filename } = await cloud.readArtifactAttachment(sessionId, artifact.id);
    const blob = blobOfDataUrl(url);
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = filename || artifact.filename;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  } catch (error) {
    fail(error, `download ${artifact.filename}`);
  }
}

/** A card's answer that the cloud refuses as no longer pending: the card is redrawn as expired. */
async function answer(doing: string, command: (options: CloudCommandOptions) => Promise<unknown>): Promise<void> {
  const done = await mutate(doing, command);
  if (!done && state) showState(state);
}

const transcriptActions: TranscriptActions = {
  respondToPermission(permissionId, allow) {
    const id = live?.sessionId;
    if (id)
      void answer('answer the permission request', (o) =>
        cloud.respondToPermission(id, { permissionId, response: allow ? 'allow' : 'deny' }, o),
      );
  },
  answerQuestion(requestId, answers) {
    const id = live?.sessionId;
    if (id) void answer('answer the question', (o) => cloud.replyToQuestion(id, { requestId, answers }, o));
  },
  dismissQuestion(requestId) {
    const id = live?.sessionId;
    if (id) void answer('dismiss the question', (o) => cloud.rejectQuestion(id, { requestId }, o));
  },
  downloadArtifact: (artifact) => void downloadArtifact(artifact),
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
  sessionList.upsert(created.session);
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
  if (!sent) return;
  ui.prompt.value = '';
  recordChanged(sent.view);
});

// Enter sends and Shift+Enter adds a line, except while an input method is composing a character.
ui.prompt.addEventListener('keydown', (event) => {
  if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
  event.preventDefault();
  ui.composer.requestSubmit();
});

function editTitle(editing: boolean): void {
  ui.renameForm.hidden = !editing;
  ui.title.hidden = editing;
  ui.rename.hidden = editing;
  if (editing) {
    ui.renameInput.value = ui.title.textContent ?? '';
    ui.renameInput.focus();
    ui.renameInput.select();
  } else {
    ui.rename.focus();
  }
}

ui.rename.addEventListener('click', () => editTitle(true));
ui.renameCancel.addEventListener('click', () => editTitle(false));
ui.renameInput.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') editTitle(false);
});
ui.renameForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const sessionId = live?.sessionId;
  const title = ui.renameInput.value.trim();
  if (!sessionId || !title) return;
  const renamed = await mutate('rename the session', (o) => cloud.renameSession(sessionId, title, o));
  if (!renamed) return;
  recordChanged(renamed);
  editTitle(false);
});

ui.closeSession.addEventListener('click', async () => {
  const sessionId = live?.sessionId;
  if (!sessionId) return;
  const closed = await mutate('close the session', (o) => cloud.closeSession(sessionId, o));
  if (closed) recordChanged(closed);
});

ui.noticeDismiss.addEventListener('click', () => notify(null));
ui.toggleSessions.addEventListener('click', () => showSessionList(!ui.workbench.classList.contains('list-open')));
// On a phone the side panels start folded, so that the conversation gets the screen.
if (narrow.matches) {
  ui.todosPanel.open = false;
  ui.artifactsPanel.open = false;
}

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
