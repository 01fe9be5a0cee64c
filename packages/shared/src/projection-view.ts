/**
 * The session projection view: its item types, the empty view, and the
 * normalisation of whatever a server stored in `projection.view`.
 *
 * Glossary: an item's `order` is the sequence of the event that created it, so lists sort by it;
 * the view's `sequence` is the last event sequence folded in, so replays and duplicates are no-ops.
 */
import { isRecord, num, projectSourceSummary, str, tokensOf } from './payload.js';
import {
  type CloudProjectSourceSummary,
  type CloudSessionView,
  SESSION_STATUSES,
  type SessionAttachment,
  type SessionStatus,
} from './session.js';

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

export const TOOL_CALL_STATUSES = ['running', 'complete', 'error'] as const;
export type ToolCallStatus = (typeof TOOL_CALL_STATUSES)[number];

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

export const TASK_RUN_STATUSES = ['queued', 'running', 'complete', 'error'] as const;
export type TaskRunStatus = (typeof TASK_RUN_STATUSES)[number];

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
 * The folded state of a session. Beyond the contract it carries `sequence`, the last
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
export function createEmptySessionProjectionView(sessionId: string, init: SessionProjectionViewInit = {}): CloudSessionProjectionView {
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

// ---------------------------------------------------------------- normalisation

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
    status: (SESSION_STATUSES as readonly string[]).includes(raw.status as string) ? (raw.status as SessionStatus) : 'idle',
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
