/**
 * The session projection: a pure fold of session events (wire contract §3.3) into the view the
 * server stores in `projection.view` and clients render (§3.5).
 *
 * Glossary: an *order* is the sequence of the event that created an item, so lists sort by it;
 * the view's `sequence` is the last event sequence folded in, so replays and duplicates are no-ops.
 */
import type { CloudSessionEvent } from './events.js';
import type { CloudProjectSourceSummary, CloudSessionView, SessionAttachment, SessionStatus } from './session.js';

/** Token counters of a session or task run. */
export interface SessionTokens {
  input: number;
  output: number;
  reasoning: number;
  cacheRead: number;
  cacheWrite: number;
}

export interface ProjectionMessage {
  id: string;
  role: 'user' | 'assistant' | 'system';
  content: string;
  createdAt: string | null;
  attachments?: SessionAttachment[];
  /** Agent the prompt was sent to (user messages). */
  agent?: string;
  order: number;
}

export type ToolCallStatus = 'running' | 'complete' | 'error';

export interface ProjectionToolCall {
  id: string;
  sessionId: string;
  name: string;
  input: unknown;
  status: ToolCallStatus;
  output?: unknown;
  outputPaths?: string[];
  attachments?: SessionAttachment[];
  agent?: string;
  sourceSessionId?: string;
  taskRunId?: string;
  order: number;
}

export type TaskRunStatus = 'queued' | 'running' | 'complete' | 'error';

/** A sub-agent run started by the session. */
export interface ProjectionTaskRun {
  id: string;
  sessionId: string;
  title: string;
  agent: string | null;
  status: TaskRunStatus;
  sourceSessionId: string | null;
  parentSessionId: string | null;
  content: string | null;
  error: string | null;
  sessionCost: number;
  sessionTokens: SessionTokens | null;
  startedAt: string | null;
  finishedAt: string | null;
  order: number;
}

export interface ProjectionPendingApproval {
  id: string;
  sessionId: string;
  tool: string;
  input: unknown;
  description: string;
  taskRunId?: string;
  sourceSessionId?: string;
  order: number;
}

export interface ProjectionResolvedApproval {
  id: string;
  sessionId: string;
  taskRunId?: string;
  tool: string;
  description: string;
  allowed: boolean;
  /** Order of the original request. */
  order: number;
  resolvedAt: string | null;
}

export interface ProjectionPendingQuestion {
  id: string;
  sessionId: string;
  questions: unknown[];
  /** The tool call that asked, when the question came from a tool. */
  tool?: { messageId: string; callId: string };
  sourceSessionId?: string;
  order: number;
}

export interface ProjectionResolvedQuestion {
  id: string;
  sessionId: string;
  sourceSessionId?: string;
  questions: unknown[];
  answers: unknown[];
  rejected: boolean;
  /** Order of the original question. */
  order: number;
  resolvedAt: string | null;
}

/** An artifact as announced by `artifact.*` events; further payload fields are kept as they came. */
export interface ProjectionArtifact {
  id: string;
  sessionId: string;
  filename: string;
  mime: string | null;
  size: number | null;
  kind: string | null;
  status: string | null;
  order: number;
  [field: string]: unknown;
}

export interface ProjectionTodo {
  id?: string;
  content: string;
  status: string;
  priority: string;
}

export interface ProjectionError {
  id: string;
  sessionId: string;
  message: string;
  order: number;
}

/** Set on sessions imported from a local Open Cowork session. */
export interface ProjectionOrigin {
  kind: 'local-session-import';
  sourceFingerprint: string;
  importedAt: string | null;
  itemCounts: Record<string, number>;
}

/**
 * The folded state of a session (§3.5). Beyond the contract it carries `sequence`, the last
 * event sequence applied, which makes folding idempotent.
 */
export interface CloudSessionProjectionView {
  sessionId: string;
  title: string | null;
  status: SessionStatus;
  profileName: string | null;
  isGenerating: boolean;
  messages: ProjectionMessage[];
  toolCalls: ProjectionToolCall[];
  taskRuns: ProjectionTaskRun[];
  pendingApprovals: ProjectionPendingApproval[];
  pendingQuestions: ProjectionPendingQuestion[];
  resolvedApprovals: ProjectionResolvedApproval[];
  resolvedQuestions: ProjectionResolvedQuestion[];
  artifacts: ProjectionArtifact[];
  todos: ProjectionTodo[];
  errors: ProjectionError[];
  sessionCost: number;
  sessionTokens: SessionTokens;
  /** Input tokens of the latest cost update: roughly the current context size. */
  lastInputTokens: number;
  lastError: string | null;
  origin: ProjectionOrigin | null;
  projectSource: CloudProjectSourceSummary | null;
  updatedAt: string | null;
  /** Last event sequence folded into this view; 0 when none. */
  sequence: number;
}

/** Fields of an empty view a caller may preset (typically from the session record). */
export type SessionProjectionViewInit = Partial<
  Pick<CloudSessionProjectionView, 'title' | 'status' | 'profileName' | 'updatedAt' | 'projectSource'>
>;

const zeroTokens = (): SessionTokens => ({ input: 0, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0 });

/** A view with no events folded in. */
export function createEmptySessionProjectionView(
  sessionId: string,
  init: SessionProjectionViewInit = {},
): CloudSessionProjectionView {
  return {
    sessionId,
    title: init.title ?? null,
    status: init.status ?? 'idle',
    profileName: init.profileName ?? null,
    isGenerating: false,
    messages: [],
    toolCalls: [],
    taskRuns: [],
    pendingApprovals: [],
    pendingQuestions: [],
    resolvedApprovals: [],
    resolvedQuestions: [],
    artifacts: [],
    todos: [],
    errors: [],
    sessionCost: 0,
    sessionTokens: zeroTokens(),
    lastInputTokens: 0,
    lastError: null,
    origin: null,
    projectSource: init.projectSource ?? null,
    updatedAt: init.updatedAt ?? null,
    sequence: 0,
  };
}

// ---------------------------------------------------------------- payload readers

type Payload = Record<string, unknown>;

const isRecord = (value: unknown): value is Payload =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/** The first string among the alternative keys of §3.3. */
function firstString(payload: Payload, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = str(payload[key]);
    if (value !== undefined) return value;
  }
  return undefined;
}

const attachmentsOf = (value: unknown): SessionAttachment[] | undefined =>
  Array.isArray(value) ? (value.filter(isRecord) as unknown as SessionAttachment[]) : undefined;

const stringsOf = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;

function tokensOf(value: unknown): SessionTokens | undefined {
  if (!isRecord(value)) return undefined;
  const cache = isRecord(value.cache) ? value.cache : {};
  return {
    input: num(value.input) ?? 0,
    output: num(value.output) ?? 0,
    reasoning: num(value.reasoning) ?? 0,
    cacheRead: num(value.cacheRead) ?? num(cache.read) ?? 0,
    cacheWrite: num(value.cacheWrite) ?? num(cache.write) ?? 0,
  };
}

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
      answer === true ||
      (typeof answer === 'string' && ALLOW_REPLIES.has(answer)) ||
      (isRecord(answer) && answer.allowed === true),
  );
}

function projectSourceSummary(value: unknown): CloudProjectSourceSummary | null {
  if (!isRecord(value) || (value.kind !== 'git' && value.kind !== 'snapshot')) return null;
  // Pick the public fields only: the bound source may carry credentialRef/objectKey.
  const summary: CloudProjectSourceSummary = { kind: value.kind };
  for (const key of ['repositoryUrl', 'ref', 'subdirectory', 'snapshotId', 'title'] as const) {
    const field = str(value[key]);
    if (field !== undefined) summary[key] = field;
  }
  return summary;
}

/** Replace the item with `id`, or append `item` when there is none. */
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
    const toolCalls = upsert(view.toolCalls, id, (previous): ProjectionToolCall => ({
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
    }));
    return { ...view, toolCalls };
  },

  'task.run': (view, payload, event) => {
    const id = firstString(payload, ID_KEYS.taskRun);
    if (id === undefined) return view;
    const status = ['queued', 'running', 'complete', 'error'].includes(payload.status as string)
      ? (payload.status as TaskRunStatus)
      : undefined;
    const taskRuns = upsert(view.taskRuns, id, (previous): ProjectionTaskRun => ({
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
    }));
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
export function applySessionEvent(
  view: CloudSessionProjectionView,
  event: CloudSessionEvent,
): CloudSessionProjectionView {
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
export function reduceSessionEvents(
  events: Iterable<CloudSessionEvent>,
  initial?: CloudSessionProjectionView,
): CloudSessionProjectionView {
  let view = initial;
  for (const event of events) {
    view = applySessionEvent(view ?? createEmptySessionProjectionView(event.sessionId ?? ''), event);
  }
  return view ?? createEmptySessionProjectionView('');
}

// ---------------------------------------------------------------- normalisation

const SESSION_STATUSES: readonly SessionStatus[] = ['idle', 'running', 'closed', 'errored'];

const recordsOf = <T>(value: unknown): T[] => (Array.isArray(value) ? (value.filter(isRecord) as T[]) : []);

/**
 * Turn whatever a server sent in `projection.view` into a complete view: missing or mistyped
 * fields get their empty defaults, list items that are not objects are dropped. Servers of
 * other versions send partial views, so nothing here may throw.
 */
export function normalizeSessionProjectionView(value: unknown, sessionId: string): CloudSessionProjectionView {
  const raw = isRecord(value) ? value : {};
  const empty = createEmptySessionProjectionView(str(raw.sessionId) ?? sessionId);
  const origin = isRecord(raw.origin) && str(raw.origin.sourceFingerprint) !== undefined ? raw.origin : null;
  return {
    ...empty,
    title: str(raw.title) ?? null,
    status: SESSION_STATUSES.includes(raw.status as SessionStatus) ? (raw.status as SessionStatus) : 'idle',
    profileName: str(raw.profileName) ?? null,
    isGenerating: raw.isGenerating === true,
    messages: recordsOf(raw.messages),
    toolCalls: recordsOf(raw.toolCalls),
    taskRuns: recordsOf(raw.taskRuns),
    pendingApprovals: recordsOf(raw.pendingApprovals),
    pendingQuestions: recordsOf(raw.pendingQuestions),
    resolvedApprovals: recordsOf(raw.resolvedApprovals),
    resolvedQuestions: recordsOf(raw.resolvedQuestions),
    artifacts: recordsOf(raw.artifacts),
    todos: recordsOf(raw.todos),
    errors: recordsOf(raw.errors),
    sessionCost: num(raw.sessionCost) ?? 0,
    sessionTokens: tokensOf(raw.sessionTokens) ?? empty.sessionTokens,
    lastInputTokens: num(raw.lastInputTokens) ?? 0,
    lastError: str(raw.lastError) ?? null,
    origin: origin as ProjectionOrigin | null,
    projectSource: projectSourceSummary(raw.projectSource),
    updatedAt: str(raw.updatedAt) ?? null,
    sequence: num(raw.sequence) ?? 0,
  };
}

/**
 * The view of a `CloudSessionView`, ready to fold SSE events into: `sequence` comes from
 * `projection.sequence` (the resume cursor) and missing title/status/profile from the record.
 */
export function sessionProjectionViewFromCloudView(cloudView: CloudSessionView): CloudSessionProjectionView {
  const { session, projection } = cloudView;
  const view = normalizeSessionProjectionView(projection?.view, session.sessionId);
  return {
    ...view,
    title: view.title ?? session.title,
    profileName: view.profileName ?? session.profileName,
    status: isRecord(projection?.view) && typeof projection.view.status === 'string' ? view.status : session.status,
    projectSource: view.projectSource ?? session.projectSource ?? null,
    sequence: projection?.sequence ?? view.sequence,
  };
}
