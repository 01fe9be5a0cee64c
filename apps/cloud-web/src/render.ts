import type {
  CloudSessionProjectionView,
  ProjectionPendingApproval,
  ProjectionPendingQuestion,
  SessionRecord,
} from '@open-cowork/shared';
import { button, h, renderKeyed, type KeyedItem } from './dom.js';

export interface TranscriptActions {
  respondToPermission(permissionId: string, allow: boolean): void;
  answerQuestion(requestId: string, answers: string[][]): void;
  dismissQuestion(requestId: string): void;
}

interface QuestionEntry {
  header?: unknown;
  question?: unknown;
  options?: Array<{ label?: unknown }>;
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');
const brief = (value: unknown) => (value === null || value === undefined ? '' : JSON.stringify(value));

function approvalCard(approval: ProjectionPendingApproval, actions: TranscriptActions): HTMLElement {
  return h(
    'li',
    { class: 'card permission', role: 'group', 'aria-label': 'Permission request' },
    h('strong', {}, `Permission requested: ${approval.tool}`),
    h('p', {}, approval.description),
    approval.input ? h('code', {}, brief(approval.input)) : null,
    h(
      'div',
      { class: 'actions' },
      button('Allow', () => actions.respondToPermission(approval.id, true)),
      button('Deny', () => actions.respondToPermission(approval.id, false)),
    ),
  );
}

/** One choice per question; "Answer" sends them all (`answers[i]` = labels chosen for question i). */
function questionCard(pending: ProjectionPendingQuestion, actions: TranscriptActions): HTMLElement {
  const questions = pending.questions as QuestionEntry[];
  const chosen: Array<string | null> = questions.map(() => null);
  const send = button('Answer', () => actions.answerQuestion(pending.id, chosen.map((label) => (label ? [label] : []))), { disabled: true });
  const blocks = questions.map((entry, index) => {
    const options = (entry.options ?? []).map((option) => text(option.label)).filter(Boolean);
    const optionButtons: HTMLButtonElement[] = options.map((label) =>
      button(label, () => {
        chosen[index] = label;
        optionButtons.forEach((other, n) => other.setAttribute('aria-pressed', String(options[n] === label)));
        send.disabled = chosen.some((choice) => choice === null);
      }, { 'aria-pressed': 'false' }),
    );
    return h('fieldset', {}, h('legend', {}, text(entry.header) || 'Question'), h('p', {}, text(entry.question)), h('div', { class: 'options' }, ...optionButtons));
  });
  return h(
    'li',
    { class: 'card question', role: 'group', 'aria-label': 'Question' },
    ...blocks,
    h('div', { class: 'actions' }, send, button('Dismiss', () => actions.dismissQuestion(pending.id))),
  );
}

/** Everything the transcript shows, in event order (`order` is the sequence that created an item). */
function transcriptItems(view: CloudSessionProjectionView, actions: TranscriptActions): KeyedItem[] {
  const items: Array<KeyedItem & { order: number }> = [];
  for (const message of view.messages) {
    items.push({
      key: `message:${message.id}`,
      order: message.order,
      signature: message.content,
      build: () => h('li', { class: `message ${message.role}`, 'data-role': message.role }, h('p', {}, message.content)),
    });
  }
  for (const call of view.toolCalls) {
    items.push({
      key: `tool:${call.id}`,
      order: call.order,
      signature: call.status,
      build: () => h('li', { class: `tool ${call.status}` }, `Tool ${call.name} ${brief(call.input)} — ${call.status}`),
    });
  }
  for (const approval of view.pendingApprovals) {
    items.push({ key: `permission:${approval.id}`, order: approval.order, signature: 'pending', build: () => approvalCard(approval, actions) });
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
    items.push({ key: `question:${question.id}`, order: question.order, signature: 'pending', build: () => questionCard(question, actions) });
  }
  for (const question of view.resolvedQuestions) {
    const outcome = question.rejected ? 'Question dismissed' : `Answered: ${question.answers.flat().join(', ')}`;
    items.push({ key: `question:${question.id}`, order: question.order, signature: outcome, build: () => h('li', { class: 'resolved' }, outcome) });
  }
  for (const error of view.errors) {
    items.push({ key: `error:${error.id}`, order: error.order, signature: error.message, build: () => h('li', { class: 'error', role: 'note' }, error.message) });
  }
  return items.sort((a, b) => a.order - b.order);
}

export function renderTranscript(list: HTMLElement, view: CloudSessionProjectionView, actions: TranscriptActions): void {
  // Follow the stream only when the reader is already at the bottom.
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  renderKeyed(list, transcriptItems(view, actions));
  if (atBottom) list.scrollTop = list.scrollHeight;
}

export function sessionLabel(session: Pick<SessionRecord, 'title' | 'createdAt' | 'sessionId'>): string {
  return session.title ?? `Session of ${new Date(session.createdAt).toLocaleString()}`;
}

export function renderSessionList(
  list: HTMLElement,
  sessions: readonly SessionRecord[],
  selected: string | null,
  open: (sessionId: string) => void,
): void {
  renderKeyed(
    list,
    sessions.map((session) => ({
      key: session.sessionId,
      signature: `${sessionLabel(session)}|${session.status}|${session.sessionId === selected}`,
      build: () =>
        h(
          'li',
          {},
          button(sessionLabel(session), () => open(session.sessionId), {
            'aria-current': session.sessionId === selected ? 'true' : undefined,
            title: session.sessionId,
          }),
        ),
    })),
  );
}
