/**
 * Session records, views, commands and list pages.
 */

/** Lifecycle status of a stored session. */
export type SessionStatus = 'idle' | 'running' | 'closed' | 'errored';

/** A git repository to check out for a session. */
export interface CloudGitProjectSourceInput {
  kind: 'git';
  repositoryUrl: string;
  ref?: string;
  subdirectory?: string;
  /** Name of a stored credential; the secret itself never travels. */
  credentialRef?: string;
}

/** A previously uploaded snapshot (see `uploadProjectSnapshot`). */
export interface CloudSnapshotProjectSourceInput {
  kind: 'snapshot';
  snapshotId: string;
  objectKey: string;
  fileCount: number;
  byteCount: number;
  title?: string;
}

/** Where a session's project files come from. */
export type CloudProjectSourceInput = CloudGitProjectSourceInput | CloudSnapshotProjectSourceInput;

/** The project source as shown on a session record: no credentials, no object keys. */
export interface CloudProjectSourceSummary {
  kind: 'git' | 'snapshot';
  repositoryUrl?: string;
  ref?: string;
  subdirectory?: string;
  snapshotId?: string;
  title?: string;
}

/** A stored session. */
export interface SessionRecord {
  tenantId: string;
  userId: string;
  sessionId: string;
  opencodeSessionId: string | null;
  profileName: string;
  status: SessionStatus;
  title: string | null;
  projectSource?: CloudProjectSourceSummary | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * The stored projection of a session. `view` is whatever the server folded; pass it through
 * `normalizeSessionProjectionView` before reading it.
 */
export interface CloudSessionProjection {
  tenantId?: string;
  sessionId: string;
  /** Last session-event sequence folded into `view`: the natural SSE resume cursor. */
  sequence: number;
  view: Record<string, unknown>;
  updatedAt: string;
}

/** A session and its projection, as returned by get/create/import and by every command. */
export interface CloudSessionView {
  session: SessionRecord;
  projection: CloudSessionProjection | null;
}

/** Kinds of commands a session accepts. */
export type SessionCommandKind = 'prompt' | 'abort' | 'permission.respond' | 'question.reply' | 'question.reject';

/** Processing state of a session command. */
export type SessionCommandStatus = 'pending' | 'running' | 'acked' | 'failed';

/** A queued session command, including the fields the first client's type missed. */
export interface SessionCommandRecord {
  commandId: string;
  tenantId: string;
  userId: string;
  sessionId: string;
  kind: SessionCommandKind;
  payload: Record<string, unknown>;
  targetLeaseToken: string | null;
  createdSequence: number;
  createdAt: string;
  status: SessionCommandStatus;
  claimedBy: string | null;
  claimedLeaseToken: string | null;
  ackedAt: string | null;
  error: string | null;
  attemptCount: number;
  availableAt: string | null;
  lastErrorCode: string | null;
  lastErrorSummary: string | null;
}

/** Scope a projection fence applies to. */
export type ProjectionFenceScope = 'session' | 'workspace' | 'workflow-run' | 'client';

/**
 * Proof that the effect of a command has been projected: a view at `sequence` or later
 * already reflects it.
 */
export interface ProjectionFence {
  version: 1;
  scope: ProjectionFenceScope;
  tenantId: string;
  sessionId?: string;
  commandId?: string;
  sequence: number;
  projectionVersion: number;
  issuedAt: string;
  workspaceId?: string;
  workflowId?: string;
  runId?: string;
  clientId?: string;
  checkpointVersion?: number;
  expiresAt?: string;
}

/** HTTP 202 body of every session command. */
export interface CloudSessionCommandResponse {
  command: SessionCommandRecord;
  /** Commands executed inline; 0 when a separate worker owns execution. */
  processed: number;
  view: CloudSessionView;
  /** Non-null only when `processed > 0` and an event of this command was projected. */
  projectionFence: ProjectionFence | null;
}

/** One page of `GET /api/sessions`. */
export interface SessionListPage {
  sessions: SessionRecord[];
  /** Opaque; null on the last page. */
  nextCursor: string | null;
  /** A has-more probe: `limit + 1` when more remain, else the exact remaining count. */
  totalEstimate: number;
}

/** Query of `listSessionsPage`. */
export interface SessionListQuery {
  /** Default 100, max 500. */
  limit?: number;
  cursor?: string | null;
  status?: SessionStatus;
  profileName?: string;
  /** Case-insensitive text search. */
  q?: string;
}

/** Body of `createSession`. */
export interface CreateSessionInput {
  profileName?: string;
  projectSource?: CloudProjectSourceInput | null;
}

/** Result of `validateProjectSource`. */
export interface ValidateProjectSourceResult {
  allowed: boolean;
  reason: string | null;
  policyCode?: string;
}

/** One file of a project snapshot upload. */
export interface ProjectSnapshotFileInput {
  path: string;
  dataBase64: string;
  byteCount?: number;
  mode?: number;
}

/** Body of `uploadProjectSnapshot` (35 MiB cap). */
export interface ProjectSnapshotUploadInput {
  title?: string;
  files: ProjectSnapshotFileInput[];
  excluded?: { path: string; reason: string }[];
  warnings?: string[];
  fileCount?: number;
  byteCount?: number;
}

/** 201 body of `uploadProjectSnapshot`; `projectSource` can be passed to `createSession` as is. */
export interface ProjectSnapshotUploadResult {
  snapshotId: string;
  objectKey: string;
  fileCount: number;
  byteCount: number;
  createdAt: string;
  projectSource: CloudSnapshotProjectSourceInput;
}

/** Counts of what a session import carries. */
export interface SessionImportItemCounts {
  messages: number;
  artifacts: number;
  attachments: number;
  projectSource: number;
  excluded: number;
}

/** A file attached to a message. */
export interface SessionAttachment {
  mime: string;
  url: string;
  filename?: string;
}

/** Body of `importSession`. */
export interface SessionImportRequest {
  source: { kind: 'local-session'; fingerprint: string; title: string };
  title: string;
  profileName?: string;
  selection: {
    includeMessages?: boolean;
    includeArtifacts?: boolean;
    includeAttachments?: boolean;
    includeProjectSource?: boolean;
    artifactIds?: string[];
    attachmentIds?: string[];
  };
  itemCounts: SessionImportItemCounts;
  warnings?: { code: string; message: string; severity: 'info' | 'warning' | 'error' }[];
  excluded?: { kind: string; count: number; reason: string }[];
  messages?: {
    id: string;
    role: 'user' | 'assistant';
    content: string;
    timestamp?: string;
    order: number;
    attachments?: SessionAttachment[];
  }[];
  /** At most 25. */
  artifacts?: {
    id: string;
    filename: string;
    contentType?: string;
    dataBase64: string;
    order: number;
    toolId?: string;
    toolName?: string;
    kind?: string;
    status?: string;
    authorAgentId?: string;
    projectId?: string;
    taskId?: string;
    statusUpdatedBy?: string;
    statusUpdatedAt?: string;
  }[];
  todos?: unknown[];
  sessionCost?: number;
  sessionTokens?: Record<string, number>;
}

/** Body of `promptSession`. */
export interface PromptSessionInput {
  text: string;
  agent?: string;
}

/** Body of `replyToQuestion`. */
export interface QuestionReplyInput {
  requestId: string;
  answers: unknown[];
}

/** Body of `rejectQuestion`. */
export interface QuestionRejectInput {
  requestId: string;
}

/**
 * Body of `respondToPermission`. The server allows on `true`, `'allow'`, `'once'`,
 * `'always'` or `{allowed: true}`; anything else denies.
 */
export interface PermissionResponseInput {
  permissionId: string;
  response: boolean | 'allow' | 'once' | 'always' | 'deny' | 'reject' | { allowed: boolean } | (string & {});
}
