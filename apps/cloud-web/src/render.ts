import type {
  ProjectionArtifact,
  ProjectionMessage,
  ProjectionPendingApproval,
  ProjectionPendingQuestion,
  ProjectionToolCall,
  SessionRecord,
} from '@open-cowork/shared';
import { button, h, renderKeyed, type KeyedItem } from './dom.js';
import type { SessionState } from './live-session.js';
import { renderMarkdown } from './markdown.js';

export interface TranscriptActions {
  respondToPermission(permissionId: string, allow: boolean): void;
  answerQuestion(requestId: string, answers: string[][]): void;
  dismissQuestion(requestId: string): void;
  downloadArtifact(artifact: ProjectionArtifact): void;
}

interface QuestionEntry {
  header?: unknown;
  question?: unknown;
  options?: Array<{ label?: unknown }>;
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');
const pretty = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value, null, 2));

/** A card's buttons are disabled once one is pressed: an answer is sent once. */
function answerOnce(card: HTMLElement, send: () => void): () => void {
  return () => {
    card.querySelectorAll('button').forEach((other) => (other.disabled = true));
    card.setAttribute('aria-busy', 'true');
    send();
  };
}

function approvalCard(approval: ProjectionPendingApproval, actions: TranscriptActions): HTMLElement {
  const card = h(
    'div',
    { class: 'card permission', role: 'group', 'aria-label': 'Permission request' },
    h('strong', {}, `Permission requested: ${approval.tool}`),
    h('p', {}, approval.description),
    approval.input ? h('pre', { class: 'json', tabindex: '0' }, pretty(approval.input)) : null,
  );
  card.append(
    h(
      'div',
      { class: 'actions' },
      button(
        'Allow',
        answerOnce(card, () => actions.respondToPermission(approval.id, true)),
      ),
      button(
        'Deny',
        answerOnce(card, () => actions.respondToPermission(approval.id, false)),
      ),
    ),
  );
  return h('li', {}, card);
}

/** One choice per question; "Answer" sends them all (`answers[i]` = labels chosen for question i). */
function questionCard(pending: ProjectionPendingQuestion, actions: TranscriptActions): HTMLElement {
  const questions = pending.questions as QuestionEntry[];
  const chosen: Array<string | null> = questions.map(() => null);
  const card = h('div', { class: 'card question', role: 'group', 'aria-label': 'Question' });
  const send = button(
    'Answer',
    answerOnce(card, () =>
      actions.answerQuestion(
        pending.id,
        chosen.map((label) => (label ? [label] : [])),
      ),
    ),
    { disabled: true },
  );
  const blocks = questions.map((entry, index) => {
    const options = (entry.options ?? []).map((option) => text(option.label)).filter(Boolean);
    const optionButtons: HTMLButtonElement[] = options.map((label) =>
      button(
        label,
        () => {
          chosen[index] = label;
          optionButtons.forEach((other, n) => other.setAttribute('aria-pressed', String(options[n] === label)));
          send.disabled = chosen.some((choice) => choice === null);
        },
        { 'aria-pressed': 'false' },
      ),
    );
    return h(
      'fieldset',
      {},
      h('legend', {}, text(entry.header) || 'Question'),
      h('p', {}, text(entry.question)),
      h('div', { class: 'options' }, ...optionButtons),
    );
  });
  card.append(
    ...blocks,
    h(
      'div',
      { class: 'actions' },
      send,
      button(
        'Dismiss',
        answerOnce(card, () => actions.dismissQuestion(pending.id)),
      ),
    ),
  );
  return h('li', {}, card);
}

const TOOL_STATUS: Record<string, string> = { running: 'running…', complete: 'complete', error: 'failed' };

/** A tool call as a collapsible card: name and status in the summary, input and output inside. */
function toolCard(call: ProjectionToolCall): HTMLElement {
  const output = call.output === undefined || call.output === null ? null : pretty(call.output);
  return h(
    'li',
    { class: `tool ${call.status}` },
    h(
      'details',
      {},
      h(
        'summary',
        {},
        h('span', { class: 'tool-name' }, `Tool: ${call.name || 'unnamed'}`),
        h('span', { class: `badge ${call.status}` }, TOOL_STATUS[call.status] ?? call.status),
      ),
      h('h4', {}, 'Input'),
      h('pre', { class: 'json', tabindex: '0' }, pretty(call.input ?? null)),
      h('h4', {}, 'Output'),
      output === null
        ? h('p', { class: 'muted' }, call.status === 'running' ? 'Not finished yet.' : 'No output.')
        : h('pre', { class: 'json', tabindex: '0' }, output),
    ),
  );
}

/** The error id the cloud gives a prompt it cancelled without running it. */
const cancelledId = (message: ProjectionMessage) => `${message.id.replace(/:message$/, '')}:runtime.cancelled`;

function messageItem(message: ProjectionMessage, streaming: boolean, cancelled: boolean): KeyedItem & { order: number } {
  return {
    key: `message:${message.id}`,
    order: message.order,
    signature: `${message.content}|${streaming}|${cancelled}`,
    build: () => {
      const body = message.role === 'assistant' ? renderMarkdown(message.content) : h('p', { class: 'plain' }, message.content);
      return h(
        'li',
        {
          class: `message ${message.role}${streaming ? ' streaming' : ''}`,
          'data-role': message.role,
          'aria-busy': streaming ? 'true' : undefined,
        },
        body,
        cancelled ? h('span', { class: 'badge cancelled' }, 'Cancelled: not run') : null,
      );
    },
  };
}

/** A note in the transcript (the role sits inside the item, so that the list keeps list items only). */
const note = (kind: string, message: string) => h('li', { class: kind }, h('span', { role: 'note' }, message));

/** Everything the transcript shows, in event order (`order` is the sequence that created an item). */
function transcriptItems({ view, stops }: SessionState, actions: TranscriptActions): KeyedItem[] {
  const items: Array<KeyedItem & { order: number }> = [];
  const lastStop = Math.max(0, ...stops);
  // A request can only be answered while its turn runs: after a stop, or once the turn ended, it expired.
  const answerable = (order: number) => view.isGenerating && order > lastStop;
  const errorIds = new Set(view.errors.map((error) => error.id));
  const streamingId = view.isGenerating ? view.messages.filter((message) => message.role === 'assistant').at(-1)?.id : undefined;
  for (const message of view.messages) items.push(messageItem(message, message.id === streamingId, errorIds.has(cancelledId(message))));
  for (const call of view.toolCalls) {
    items.push({
      key: `tool:${call.id}`,
      order: call.order,
      signature: `${call.status}|${pretty(call.output ?? null).length}`,
      build: () => toolCard(call),
    });
  }
  for (const approval of view.pendingApprovals) {
    const open = answerable(approval.order);
    items.push({
      key: `permission:${approval.id}`,
      order: approval.order,
      signature: open ? 'pending' : 'expired',
      build: () =>
        open
          ? approvalCard(approval, actions)
          : h('li', { class: 'resolved expired' }, `Expired: ${approval.tool} — ${approval.description} (the turn ended before an answer)`),
    });
  }
  for (const approval of view.resolvedApprovals) {
    const verdict = approval.allowed ? 'Allowed' : 'Denied';
    items.push({
      key: `permission:${approval.id}`,
      order: approval.order,
      signature: verdict,
      build: () => h('li', { class: 'resolved' }, `${verdict}: ${approval.tool} — ${approval.description}`),
    });
  }
  for (const question of view.pendingQuestions) {
    const open = answerable(question.order);
    items.push({
      key: `question:${question.id}`,
      order: question.order,
      signature: open ? 'pending' : 'expired',
      build: () =>
        open
          ? questionCard(question, actions)
          : h('li', { class: 'resolved expired' }, 'Question expired: the turn ended before an answer'),
    });
  }
  for (const question of view.resolvedQuestions) {
    const outcome = question.rejected ? 'Question dismissed' : `Answered: ${question.answers.flat().join(', ')}`;
    items.push({
      key: `question:${question.id}`,
      order: question.order,
      signature: outcome,
      build: () => h('li', { class: 'resolved' }, outcome),
    });
  }
  for (const error of view.errors) {
    items.push({ key: `error:${error.id}`, order: error.order, signature: error.message, build: () => note('error', error.message) });
  }
  for (const sequence of stops) {
    items.push({
      key: `stop:${sequence}`,
      order: sequence,
      signature: 'stopped',
      build: () => note('stopped', 'Stopped: the turn was aborted.'),
    });
  }
  return items.sort((a, b) => a.order - b.order);
}

export function renderTranscript(list: HTMLElement, state: SessionState, actions: TranscriptActions): void {
  // Follow the stream only when the reader is already at the bottom.
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  renderKeyed(list, transcriptItems(state, actions));
  if (atBottom) list.scrollTop = list.scrollHeight;
}

const TODO_MARK: Record<string, string> = { completed: '✓', in_progress: '…', cancelled: '✕' };

export function renderTodos(list: HTMLElement, { view }: SessionState): void {
  renderKeyed(
    list,
    view.todos.map((todo, index) => ({
      key: todo.id ?? String(index),
      signature: `${todo.status}|${todo.content}`,
      build: () =>
        h(
          'li',
          { class: `todo ${todo.status}` },
          h('span', { class: 'mark', 'aria-hidden': 'true' }, TODO_MARK[todo.status] ?? '○'),
          `${todo.content} `,
          h('span', { class: 'visually-hidden' }, `(${todo.status.replace('_', ' ')})`),
        ),
    })),
  );
}

export function renderArtifacts(list: HTMLElement, { view }: SessionState, actions: TranscriptActions): void {
  renderKeyed(
    list,
    view.artifacts.map((artifact) => ({
      key: artifact.id,
      signature: `${artifact.filename}|${artifact.size ?? ''}`,
      build: () =>
        h(
          'li',
          { class: 'artifact' },
          h('span', { class: 'filename' }, artifact.filename),
          artifact.size ? h('span', { class: 'muted' }, ` ${formatBytes(artifact.size)}`) : null,
          button('Download', () => actions.downloadArtifact(artifact), { 'aria-label': `Download ${artifact.filename}` }),
        ),
    })),
  );
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** "1,234 tokens · $0.0012": every token the session used, and what it cost. */
export function usageText({ view }: SessionState): string {
  const t = view.sessionTokens;
  const tokens = t.input + t.output + t.reasoning + t.cacheRead + t.cacheWrite;
  const cost = view.sessionCost < 0.01 && view.sessionCost > 0 ? view.sessionCost.toFixed(4) : view.sessionCost.toFixed(2);
  return `${tokens.toLocaleString('en-US')} tokens · $${cost}`;
}

export function sessionLabel(session: Pick<SessionRecord, 'title' | 'createdAt'>): string {
  return session.title ?? `Untitled, ${new Date(session.createdAt).toLocaleString()}`;
}
