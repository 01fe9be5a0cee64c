/**
 * The session projection reducer: a pure fold of session events into
 * `CloudSessionProjectionView`.
 */
import type { CloudSessionEvent } from './events.js';
import { attachmentsOf, firstString, isRecord, num, type Payload, projectSourceSummary, str, stringsOf, tokensOf } from './payload.js';
import {
  type CloudSessionProjectionView,
  createEmptySessionProjectionView,
  type ProjectionError,
  type ProjectionMessage,
  type ProjectionPendingApproval,
  type ProjectionPendingQuestion,
  type ProjectionResolvedApproval,
  type ProjectionResolvedQuestion,
  type ProjectionTaskRun,
  type ProjectionToolCall,
  type SessionTokens,
  TASK_RUN_STATUSES,
  type TaskRunStatus,
} from './projection-view.js';

export * from './projection-view.js';

function addTokens(a: SessionTokens, b: SessionTokens): SessionTokens {
  return {
    input: a.input + b.input,
    output: a.output + b.output,
    reasoning: a.reasoning + b.reasoning,
    cacheRead: a.cacheRead + b.cacheRead,
    cacheWrite: a.cacheWrite + b.cacheWrite,
  };
}

const ALLOW_REPLIES = new Set(['allow', 'once', 'always']);

/** `allowed: true`, or a reply/response of allow/once/always (also `true` or `{allowed: true}`). */
function permissionAllowed(payload: Payload): boolean {
  if (payload.allowed === true) return true;
  return [payload.reply, payload.response].some(
    (answer) =>
      answer === true || (typeof answer === 'string' && ALLOW_REPLIES.has(answer)) || (isRecord(answer) && answer.allowed === true),
  );
}

/** Replace the item with `id` by `next(item)`, or append `next(undefined)` when there is none. */
function upsert<T extends { id: string }>(items: readonly T[], id: string, next: (previous: T | undefined) => T): T[] {
  const index = items.findIndex((item) => item.id === id);
  if (index === -1) return [...items, next(undefined)];
  return items.map((item, i) => (i === index ? next(item) : item));
}

/** Copy only the keys whose value is defined, so an update does not erase earlier fields. */
function defined<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}

// ---------------------------------------------------------------- reducers per event type

type Step = (view: CloudSessionProjectionView, payload: Payload, event: CloudSessionEvent) => CloudSessionProjectionView;

const ID_KEYS = {
  toolCall: ['id', 'callId', 'toolCallId'],
  taskRun: ['taskRunId', 'id'],
  permission: ['permissionId', 'id', 'requestId', 'requestID'],
  question: ['requestId', 'requestID', 'id'],
  artifact: ['artifactId', 'cloudArtifactId', 'id'],
} as const;

const upsertArtifact: Step = (view, payload, event) => {
  const id = firstString(payload, ID_KEYS.artifact);
  if (id === undefined) return view;
  const { artifactId: _a, cloudArtifactId: _c, id: _i, contentType, mime, ...rest } = payload;
  const artifacts = upsert(view.artifacts, id, (previous) => ({
    ...(previous ?? { filename: id, mime: null, size: null, kind: null, status: null, order: event.sequence }),
    ...defined(rest),
    id,
    sessionId: view.sessionId,
    mime: str(contentType) ?? str(mime) ?? previous?.mime ?? null,
    order: previous?.order ?? event.sequence,
  }));
  return { ...view, artifacts };
};

const setGenerating = (view: CloudSessionProjectionView, generating: boolean): CloudSessionProjectionView => ({
  ...view,
  isGenerating: generating,
  status: generating ? 'running' : 'idle',
});

const STEPS: Record<string, Step> = {
  'session.created': (view, payload) => ({ ...view, title: str(payload.title) ?? view.title }),

  'session.imported': (view, payload, event) => ({
    ...view,
    origin: {
      kind: 'local-session-import',
      sourceFingerprint: str(payload.sourceFingerprint) ?? '',
      importedAt: str(payload.importedAt) ?? event.createdAt ?? null,
      itemCounts: isRecord(payload.itemCounts) ? (payload.itemCounts as Record<string, number>) : {},
    },
  }),

  'session.project_source.bound': (view, payload) => ({
    ...view,
    projectSource: projectSourceSummary(payload.projectSource),
  }),

  'prompt.submitted': (view, payload, event) => {
    const id = firstString(payload, ['messageId', 'commandId']) ?? event.eventId;
    const message: ProjectionMessage = {
      id,
      role: 'user',
      content: str(payload.text) ?? '',
      createdAt: event.createdAt ?? null,
      order: event.sequence,
      ...defined({ attachments: attachmentsOf(payload.attachments), agent: str(payload.agent) }),
    };
    return { ...view, messages: upsert(view.messages, id, () => message) };
  },

  'assistant.message': (view, payload, event) => {
    const id = str(payload.messageId) ?? event.eventId;
    const content = str(payload.content) ?? '';
    const attachments = attachmentsOf(payload.attachments);
    const append = payload.mode === 'append';
    const messages = upsert(view.messages, id, (previous): ProjectionMessage => {
      const base: ProjectionMessage = previous ?? {
        id,
        role: 'assistant',
        content: '',
        createdAt: event.createdAt ?? null,
        order: event.sequence,
      };
      if (!append) return { ...base, content, ...defined({ attachments }) };
      const merged = attachments ? [...(base.attachments ?? []), ...attachments] : base.attachments;
      return { ...base, content: base.content + content, ...defined({ attachments: merged }) };
    });
    return { ...view, messages };
  },

  'tool.call': (view, payload, event) => {
    const id = firstString(payload, ID_KEYS.toolCall);
    if (id === undefined) return view;
    const status = payload.status === 'complete' || payload.status === 'error' ? payload.status : 'running';
    const toolCalls = upsert(
      view.toolCalls,
      id,
      (previous): ProjectionToolCall => ({
        ...(previous ?? { id, sessionId: view.sessionId, name: '', input: null, order: event.sequence }),
        ...defined({
          name: firstString(payload, ['name', 'tool']),
          input: payload.input,
          output: payload.output,
          outputPaths: stringsOf(payload.outputPaths),
          attachments: attachmentsOf(payload.attachments),
          agent: str(payload.agent),
          sourceSessionId: str(payload.sourceSessionId),
          taskRunId: str(payload.taskRunId),
        }),
        status,
      }),
    );
    return { ...view, toolCalls };
  },

  'task.run': (view, payload, event) => {
    const id = firstString(payload, ID_KEYS.taskRun);
    if (id === undefined) return view;
    const status = (TASK_RUN_STATUSES as readonly unknown[]).includes(payload.status) ? (payload.status as TaskRunStatus) : undefined;
    const taskRuns = upsert(
      view.taskRuns,
      id,
      (previous): ProjectionTaskRun => ({
        ...(previous ?? {
          id,
          sessionId: view.sessionId,
          title: '',
          agent: null,
          status: 'queued',
          sourceSessionId: null,
          parentSessionId: null,
          content: null,
          error: null,
          sessionCost: 0,
          sessionTokens: null,
          startedAt: null,
          finishedAt: null,
          order: event.sequence,
        }),
        ...defined({
          title: firstString(payload, ['title', 'taskTitle']),
          agent: str(payload.agent),
          status,
          sourceSessionId: str(payload.sourceSessionId),
          parentSessionId: str(payload.parentSessionId),
          content: str(payload.content),
          error: str(payload.error),
          sessionCost: num(payload.sessionCost),
          sessionTokens: tokensOf(payload.sessionTokens),
          startedAt: str(payload.startedAt),
          finishedAt: str(payload.finishedAt),
        }),
      }),
    );
    return { ...view, taskRuns };
  },

  'permission.requested': (view, payload, event) => {
    const id = firstString(payload, ID_KEYS.permission);
    if (id === undefined) return view;
    const approval: ProjectionPendingApproval = {
      id,
      sessionId: view.sessionId,
      tool: str(payload.tool) ?? '',
      input: payload.input ?? null,
      description: str(payload.description) ?? '',
      order: event.sequence,
      ...defined({ taskRunId: str(payload.taskRunId), sourceSessionId: str(payload.sourceSessionId) }),
    };
    return { ...view, pendingApprovals: upsert(view.pendingApprovals, id, () => approval) };
  },

  'permission.resolved': (view, payload, event) => {
    const id = firstString(payload, ID_KEYS.permission);
    if (id === undefined) return view;
    const pending = view.pendingApprovals.find((approval) => approval.id === id);
    const resolved: ProjectionResolvedApproval = {
      id,
      sessionId: view.sessionId,
      tool: pending?.tool ?? str(payload.tool) ?? '',
      description: pending?.description ?? str(payload.description) ?? '',
      allowed: permissionAllowed(payload),
      order: pending?.order ?? event.sequence,
      resolvedAt: event.createdAt ?? null,
      ...defined({ taskRunId: pending?.taskRunId ?? str(payload.taskRunId) }),
    };
    return {
      ...view,
      pendingApprovals: view.pendingApprovals.filter((approval) => approval.id !== id),
      resolvedApprovals: upsert(view.resolvedApprovals, id, () => resolved),
    };
  },

  'question.asked': (view, payload, event) => {
    const id = firstString(payload, ID_KEYS.question);
    if (id === undefined) return view;
    const tool = isRecord(payload.tool) ? payload.tool : undefined;
    const question: ProjectionPendingQuestion = {
      id,
      sessionId: view.sessionId,
      questions: Array.isArray(payload.questions) ? payload.questions : [],
      order: event.sequence,
      ...defined({
        tool: tool && { messageId: str(tool.messageId) ?? '', callId: str(tool.callId) ?? '' },
        sourceSessionId: str(payload.sourceSessionId),
      }),
    };
    return { ...view, pendingQuestions: upsert(view.pendingQuestions, id, () => question) };
  },

  'question.resolved': (view, payload, event) => {
    const id = firstString(payload, ID_KEYS.question);
    if (id === undefined) return view;
    const pending = view.pendingQuestions.find((question) => question.id === id);
    const resolved: ProjectionResolvedQuestion = {
      id,
      sessionId: view.sessionId,
      questions: pending?.questions ?? [],
      answers: Array.isArray(payload.answers) ? payload.answers : [],
      rejected: payload.rejected === true,
      order: pending?.order ?? event.sequence,
      resolvedAt: event.createdAt ?? null,
      ...defined({ sourceSessionId: pending?.sourceSessionId }),
    };
    return {
      ...view,
      pendingQuestions: view.pendingQuestions.filter((question) => question.id !== id),
      resolvedQuestions: upsert(view.resolvedQuestions, id, () => resolved),
    };
  },

  'todos.updated': (view, payload) => ({
    ...view,
    todos: (Array.isArray(payload.todos) ? payload.todos : []).filter(isRecord).map((todo) => ({
      content: str(todo.content) ?? '',
      status: str(todo.status) ?? 'pending',
      priority: str(todo.priority) ?? 'medium',
      ...defined({ id: str(todo.id) }),
    })),
  }),

  'cost.updated': (view, payload) => {
    const tokens = tokensOf(payload.tokens);
    return {
      ...view,
      sessionCost: view.sessionCost + (num(payload.cost) ?? 0),
      sessionTokens: tokens ? addTokens(view.sessionTokens, tokens) : view.sessionTokens,
      lastInputTokens: tokens && tokens.input > 0 ? tokens.input : view.lastInputTokens,
    };
  },

  'artifact.created': upsertArtifact,
  'artifact.updated': upsertArtifact,

  'session.status': (view, payload) => {
    const statusType = payload.statusType;
    if (statusType === 'busy' || statusType === 'running') return setGenerating(view, true);
    if (statusType === 'idle') return setGenerating(view, false);
    return view;
  },

  'session.idle': (view) => setGenerating(view, false),

  // An abort ends the turn, so the session is idle again as well.
  'session.aborted': (view) => setGenerating(view, false),

  'runtime.error': (view, payload, event) => {
    const message = str(payload.message) ?? 'Unknown runtime error.';
    const error: ProjectionError = {
      id: firstString(payload, ['id', 'commandId']) ?? event.eventId,
      sessionId: view.sessionId,
      message,
      order: event.sequence,
    };
    return { ...view, errors: [...view.errors, error], lastError: message };
  },
};

/**
 * Fold one event into the view. Pure: returns a new view, or the same object when the event
 * is a control event, of an unknown type, or not newer than `view.sequence`.
 */
export function applySessionEvent(view: CloudSessionProjectionView, event: CloudSessionEvent): CloudSessionProjectionView {
  const step = Object.hasOwn(STEPS, event.type) ? STEPS[event.type] : undefined;
  if (step === undefined || !(num(event.sequence) !== undefined && event.sequence > view.sequence)) return view;
  const payload = isRecord(event.payload) ? event.payload : {};
  return {
    ...step(view, payload, event),
    sequence: event.sequence,
    updatedAt: event.createdAt ?? view.updatedAt,
  };
}

/** Fold events in order, starting from `initial` or an empty view of the first event's session. */
export function reduceSessionEvents(events: Iterable<CloudSessionEvent>, initial?: CloudSessionProjectionView): CloudSessionProjectionView {
  let view = initial;
  for (const event of events) {
    view = applySessionEvent(view ?? createEmptySessionProjectionView(event.sessionId ?? ''), event);
  }
  return view ?? createEmptySessionProjectionView('');
}
