import { Type } from '@sinclair/typebox';
import {
  PROJECT_SOURCE_KINDS,
  PROJECTION_FENCE_SCOPES,
  SESSION_COMMAND_KINDS,
  SESSION_COMMAND_STATUSES,
  SESSION_STATUSES,
} from '../session.js';
import { Id, JsonObject, literals, Nullable, Timestamp } from './common.js';

/** Sessions, their commands and project sources. */

const Text = (maxLength: number) => Type.String({ maxLength });

export const SessionStatusSchema = literals(SESSION_STATUSES);
export const SessionParams = Type.Object({ id: Id });

// ------------------------------------------------------------------ records

export const GitProjectSourceInput = Type.Object({
  kind: Type.Literal('git'),
  repositoryUrl: Type.String({ minLength: 1, maxLength: 2048 }),
  ref: Type.Optional(Text(256)),
  subdirectory: Type.Optional(Text(1024)),
  /** Name of a stored credential; the secret itself never travels. */
  credentialRef: Type.Optional(Text(256)),
});
/** A previously uploaded snapshot (see `uploadProjectSnapshot`). */
export const SnapshotProjectSourceInput = Type.Object({
  kind: Type.Literal('snapshot'),
  snapshotId: Id,
  objectKey: Type.String({ minLength: 1, maxLength: 1024 }),
  fileCount: Type.Integer({ minimum: 0 }),
  byteCount: Type.Integer({ minimum: 0 }),
  title: Type.Optional(Text(256)),
});
/** Where a session's project files come from. */
export const ProjectSourceInput = Type.Union([GitProjectSourceInput, SnapshotProjectSourceInput]);

/** The project source as shown on a session record: no credentials, no object keys. */
export const ProjectSourceSummary = Type.Object({
  kind: literals(PROJECT_SOURCE_KINDS),
  repositoryUrl: Type.Optional(Type.String()),
  ref: Type.Optional(Type.String()),
  subdirectory: Type.Optional(Type.String()),
  snapshotId: Type.Optional(Type.String()),
  title: Type.Optional(Type.String()),
});

export const SessionRecord = Type.Object({
  tenantId: Type.String(),
  userId: Type.String(),
  sessionId: Type.String(),
  opencodeSessionId: Nullable(Type.String()),
  profileName: Type.String(),
  status: SessionStatusSchema,
  title: Nullable(Type.String()),
  projectSource: Type.Optional(Nullable(ProjectSourceSummary)),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

/**
 * The stored projection of a session. `view` is whatever the server folded; pass it through
 * `normalizeSessionProjectionView` before reading it.
 */
export const SessionProjection = Type.Object({
  tenantId: Type.Optional(Type.String()),
  sessionId: Type.String(),
  /** Last session-event sequence folded into `view`: the natural SSE resume cursor. */
  sequence: Type.Integer(),
  view: JsonObject,
  updatedAt: Timestamp,
});

/** A session and its projection, as returned by get/create/import and by every command. */
export const SessionView = Type.Object({ session: SessionRecord, projection: Nullable(SessionProjection) });

/** `GET /api/sessions/:id/view`: the session, its projection and the projection normalised into the full view. */
export const SessionNormalizedView = Type.Object({
  session: SessionRecord,
  projection: Nullable(SessionProjection),
  view: JsonObject,
});

export const SessionCommandRecord = Type.Object({
  commandId: Type.String(),
  tenantId: Type.String(),
  userId: Type.String(),
  sessionId: Type.String(),
  kind: literals(SESSION_COMMAND_KINDS),
  payload: JsonObject,
  targetLeaseToken: Nullable(Type.String()),
  createdSequence: Type.Integer(),
  createdAt: Timestamp,
  status: literals(SESSION_COMMAND_STATUSES),
  claimedBy: Nullable(Type.String()),
  claimedLeaseToken: Nullable(Type.String()),
  ackedAt: Nullable(Timestamp),
  error: Nullable(Type.String()),
  attemptCount: Type.Integer(),
  availableAt: Nullable(Timestamp),
  lastErrorCode: Nullable(Type.String()),
  lastErrorSummary: Nullable(Type.String()),
});

/**
 * Proof that the effect of a command has been projected: a view at `sequence` or later
 * already reflects it.
 */
export const ProjectionFence = Type.Object({
  version: Type.Literal(1),
  scope: literals(PROJECTION_FENCE_SCOPES),
  tenantId: Type.String(),
  sessionId: Type.Optional(Type.String()),
  commandId: Type.Optional(Type.String()),
  sequence: Type.Integer(),
  projectionVersion: Type.Integer(),
  issuedAt: Timestamp,
  workspaceId: Type.Optional(Type.String()),
  workflowId: Type.Optional(Type.String()),
  runId: Type.Optional(Type.String()),
  clientId: Type.Optional(Type.String()),
  checkpointVersion: Type.Optional(Type.Integer()),
  expiresAt: Type.Optional(Timestamp),
});

/** HTTP 202 body of every session command. */
export const SessionCommandResponse = Type.Object({
  command: SessionCommandRecord,
  /** Commands executed inline; 0 when a separate worker owns execution. */
  processed: Type.Integer(),
  view: SessionView,
  /** Non-null only when `processed > 0` and an event of this command was projected. */
  projectionFence: Nullable(ProjectionFence),
});

/** One page of `GET /api/sessions`. */
export const SessionListPage = Type.Object({
  sessions: Type.Array(SessionRecord),
  /** Opaque; null on the last page. */
  nextCursor: Nullable(Type.String()),
  /** A has-more probe: `limit + 1` when more remain, else the exact remaining count. */
  totalEstimate: Type.Integer(),
});

/** Answer of `POST /api/project-sources/validate`: `allowed: false` is not an error. */
export const ValidateProjectSourceResult = Type.Object({
  allowed: Type.Boolean(),
  reason: Nullable(Type.String()),
  policyCode: Type.Optional(Type.String()),
});

/** 201 body of `POST /api/project-sources/snapshots`; `projectSource` can be passed to `createSession` as is. */
export const ProjectSnapshotUploadResult = Type.Object({
  snapshotId: Type.String(),
  objectKey: Type.String(),
  fileCount: Type.Integer(),
  byteCount: Type.Integer(),
  createdAt: Timestamp,
  projectSource: SnapshotProjectSourceInput,
});

// ------------------------------------------------------------------ requests

export const SessionListQuery = Type.Object({
  /** Default 100, max 500. */
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  /** Opaque, from the previous page's `nextCursor`. */
  cursor: Type.Optional(Type.String({ maxLength: 2048 })),
  status: Type.Optional(SessionStatusSchema),
  profileName: Type.Optional(Text(200)),
  /** Case-insensitive text search. */
  q: Type.Optional(Text(200)),
  /** Alias of `q` some clients send. */
  query: Type.Optional(Text(200)),
});

export const CreateSessionBody = Type.Object({
  profileName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  projectSource: Type.Optional(Nullable(ProjectSourceInput)),
});

export const RenameSessionBody = Type.Object({
  title: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', description: 'The new title; blank titles are refused.' }),
});

export const ValidateProjectSourceBody = Type.Object({ projectSource: ProjectSourceInput });

/** One file of a project snapshot upload. */
export const ProjectSnapshotFile = Type.Object({
  path: Type.String({ minLength: 1, maxLength: 4096 }),
  dataBase64: Type.String({ pattern: '^[A-Za-z0-9+/]*={0,2}$' }),
  byteCount: Type.Optional(Type.Integer({ minimum: 0 })),
  mode: Type.Optional(Type.Integer({ minimum: 0 })),
});
/** Body of `POST /api/project-sources/snapshots` (35 MiB cap). */
export const ProjectSnapshotBody = Type.Object({
  title: Type.Optional(Text(256)),
  files: Type.Array(ProjectSnapshotFile, { maxItems: 10_000 }),
  excluded: Type.Optional(Type.Array(Type.Object({ path: Type.String(), reason: Type.String() }))),
  warnings: Type.Optional(Type.Array(Type.String())),
  fileCount: Type.Optional(Type.Integer({ minimum: 0 })),
  byteCount: Type.Optional(Type.Integer({ minimum: 0 })),
});

/** A file attached to a message. */
export const SessionAttachment = Type.Object({ mime: Type.String(), url: Type.String(), filename: Type.Optional(Type.String()) });

/** Counts of what a session import carries. */
export const SessionImportItemCounts = Type.Object({
  messages: Type.Integer({ minimum: 0 }),
  artifacts: Type.Integer({ minimum: 0 }),
  attachments: Type.Integer({ minimum: 0 }),
  projectSource: Type.Integer({ minimum: 0 }),
  excluded: Type.Integer({ minimum: 0 }),
});

const OptionalText = Type.Optional(Type.String());
/** Body of `POST /api/import/sessions` (35 MiB cap). */
export const SessionImportBody = Type.Object({
  source: Type.Object({
    kind: Type.Literal('local-session'),
    fingerprint: Type.String({ minLength: 1, maxLength: 512 }),
    title: Type.String(),
  }),
  title: Text(512),
  profileName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  selection: Type.Object(
    {
      includeMessages: Type.Optional(Type.Boolean()),
      includeArtifacts: Type.Optional(Type.Boolean()),
      includeAttachments: Type.Optional(Type.Boolean()),
      includeProjectSource: Type.Optional(Type.Boolean()),
      artifactIds: Type.Optional(Type.Array(Type.String())),
      attachmentIds: Type.Optional(Type.Array(Type.String())),
    },
    { additionalProperties: true },
  ),
  itemCounts: SessionImportItemCounts,
  warnings: Type.Optional(
    Type.Array(Type.Object({ code: Type.String(), message: Type.String(), severity: literals(['info', 'warning', 'error'] as const) })),
  ),
  excluded: Type.Optional(Type.Array(Type.Object({ kind: Type.String(), count: Type.Integer(), reason: Type.String() }))),
  messages: Type.Optional(
    Type.Array(
      Type.Object({
        id: Id,
        role: literals(['user', 'assistant'] as const),
        content: Type.String(),
        timestamp: OptionalText,
        order: Type.Number(),
        attachments: Type.Optional(Type.Array(SessionAttachment)),
      }),
      { maxItems: 10_000 },
    ),
  ),
  artifacts: Type.Optional(
    Type.Array(
      Type.Object({
        id: Id,
        filename: Type.String(),
        contentType: OptionalText,
        dataBase64: Type.String(),
        order: Type.Number(),
        toolId: OptionalText,
        toolName: OptionalText,
        kind: OptionalText,
        status: OptionalText,
        authorAgentId: OptionalText,
        projectId: OptionalText,
        taskId: OptionalText,
        statusUpdatedBy: OptionalText,
        statusUpdatedAt: OptionalText,
      }),
      { maxItems: 25 },
    ),
  ),
  todos: Type.Optional(Type.Array(Type.Unknown())),
  sessionCost: Type.Optional(Type.Number({ minimum: 0 })),
  sessionTokens: Type.Optional(Type.Record(Type.String(), Type.Number())),
});

export const PromptBody = Type.Object({
  text: Type.String({ minLength: 1, maxLength: 200_000 }),
  agent: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});
export const QuestionReplyBody = Type.Object({ requestId: Id, answers: Type.Array(Type.Unknown()) });
export const QuestionRejectBody = Type.Object({ requestId: Id });
/**
 * The server allows on `true`, `'allow'`, `'once'`, `'always'` or `{allowed: true}`; anything
 * else denies.
 */
export const PermissionBody = Type.Object({ permissionId: Id, response: Type.Unknown() });
