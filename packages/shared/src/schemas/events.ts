import { type TObject, Type } from '@sinclair/typebox';
import { WORKSPACE_EVENT_ENTITY_TYPES, WORKSPACE_OPERATIONS } from '../events.js';
import { TASK_RUN_STATUSES, TOOL_CALL_STATUSES } from '../projection-view.js';
import { ArtifactKind, ArtifactStatus } from './artifacts.js';
import { Id, JsonObject, literals, Nullable, Timestamp } from './common.js';
import { ProjectSourceSummary, SessionAttachment, SessionImportItemCounts } from './sessions.js';

/**
 * The session and workspace event streams (`text/event-stream`): each frame is `id: <sequence>`,
 * `event: <type>` and one `data:` line holding one of these events as JSON.
 */

export const EventStreamParams = Type.Object({ id: Id });
/** `after` is read leniently by the stream (non-integers mean 0), so it is only bounded here. */
export const EventStreamQuery = Type.Object({ after: Type.Optional(Type.String({ maxLength: 32 })) });

/** One event of the per-session stream. `type` is open: a newer server may send types this contract does not know. */
export const SessionEventSchema = Type.Object({
  tenantId: Type.Optional(Type.String()),
  sessionId: Type.Optional(Type.String()),
  eventId: Type.String(),
  /** Per-session, strictly increasing; the SSE `id:` and the resume cursor. */
  sequence: Type.Integer(),
  entityType: Type.Optional(Type.String()),
  entityId: Type.Optional(Type.String()),
  operation: Type.Optional(Type.String()),
  projectionVersion: Type.Optional(Type.Integer()),
  type: Type.String(),
  payload: JsonObject,
  createdAt: Type.Optional(Timestamp),
});

/** One event of the per-user workspace stream: a mirror of a projected session event. */
export const WorkspaceEventSchema = Type.Object({
  tenantId: Type.String(),
  userId: Type.String(),
  sessionId: Nullable(Type.String()),
  /** `<sessionId>:<sessionEventId>`. */
  eventId: Type.String(),
  /** Per tenant+user, independent of session sequences. */
  sequence: Type.Integer(),
  entityType: literals(WORKSPACE_EVENT_ENTITY_TYPES),
  /** The session id, or the artifact id for artifact events. */
  entityId: Type.String(),
  operation: literals(WORKSPACE_OPERATIONS),
  /** The sequence of the mirrored session event. */
  projectionVersion: Type.Integer(),
  type: Type.String(),
  payload: JsonObject,
  createdAt: Timestamp,
});

/** Written when the resume cursor falls into a retention gap; `sequence` is the cursor before the gap. */
export const SnapshotRequiredEventSchema = Type.Object({
  sessionId: Type.Optional(Type.String()),
  sequence: Type.Integer(),
  type: Type.Literal('snapshot.required'),
  /** `snapshot-required:<sequence>`. */
  eventId: Type.String(),
  entityType: literals(['session', 'workspace'] as const),
  entityId: Type.String(),
  operation: Type.Literal('snapshot_required'),
  projectionVersion: Type.Integer(),
  createdAt: Timestamp,
  payload: Type.Object({
    /** `event_retention_gap`, or a reason a newer server adds. */
    reason: Type.String(),
    afterSequence: Type.Integer(),
    earliestSequence: Type.Integer(),
    latestSequence: Type.Integer(),
  }),
});

/** `data:` of a frame of `GET /api/sessions/:id/events` (and of a channel session's stream). */
export const SessionStreamEvent = Type.Union([SnapshotRequiredEventSchema, SessionEventSchema]);
/** `data:` of a frame of `GET /api/events`. */
export const WorkspaceStreamEvent = Type.Union([SnapshotRequiredEventSchema, WorkspaceEventSchema]);

/** Token counters of a session or task run. */
const SessionTokens = Type.Object({
  input: Type.Number(),
  output: Type.Number(),
  reasoning: Type.Number(),
  cacheRead: Type.Number(),
  cacheWrite: Type.Number(),
});

/** An artifact event's payload: the stored artifact's public fields (the runtime sends fewer). */
const ArtifactEventPayload = Type.Object({
  artifactId: Type.String(),
  filename: Type.String(),
  contentType: Type.String(),
  size: Type.Number(),
  kind: ArtifactKind,
  status: ArtifactStatus,
  cloudArtifactId: Type.Optional(Type.String()),
  mime: Type.Optional(Type.String()),
  filePath: Type.Optional(Type.String()),
  authorAgentId: Type.Optional(Nullable(Type.String())),
  projectId: Type.Optional(Nullable(Type.String())),
  taskId: Type.Optional(Nullable(Type.String())),
  statusUpdatedBy: Type.Optional(Nullable(Type.String())),
  statusUpdatedAt: Type.Optional(Nullable(Type.String())),
});

/** One question of `question.asked`. */
export const SessionQuestion = Type.Object({
  header: Type.String(),
  question: Type.String(),
  options: Type.Array(Type.Object({ label: Type.String() })),
});

/**
 * The payload of every projected event type, by type. Objects stay open: a server may add fields
 * (the events of a turn also carry its prompt's `commandId`), and a reader ignores what it does not know.
 */
export const SessionEventPayloads = {
  'session.created': Type.Object({ title: Nullable(Type.String()), profileName: Type.Optional(Type.String()) }),
  'session.imported': Type.Object({ sourceFingerprint: Type.String(), importedAt: Type.String(), itemCounts: SessionImportItemCounts }),
  'session.project_source.bound': Type.Object({ projectSource: ProjectSourceSummary }),
  /** `commandId` is absent on imported messages. */
  'prompt.submitted': Type.Object({
    messageId: Type.String(),
    text: Type.String(),
    commandId: Type.Optional(Type.String()),
    agent: Type.Optional(Nullable(Type.String())),
    attachments: Type.Optional(Type.Array(SessionAttachment)),
  }),
  /** `mode: 'append'` adds `content` to the message with this id; without it, `content` replaces it. */
  'assistant.message': Type.Object({
    messageId: Type.String(),
    content: Type.String(),
    mode: Type.Optional(Type.Literal('append')),
    attachments: Type.Optional(Type.Array(SessionAttachment)),
  }),
  /** Upserted by `id`: `running` first, then `complete` (with `output`) or `error`. */
  'tool.call': Type.Object({
    id: Type.String(),
    name: Type.String(),
    input: Type.Unknown(),
    status: literals(TOOL_CALL_STATUSES),
    output: Type.Optional(Type.Unknown()),
  }),
  /** Upserted by `taskRunId`; fields left out keep their earlier value. */
  'task.run': Type.Object({
    taskRunId: Type.String(),
    title: Type.Optional(Type.String()),
    agent: Type.Optional(Type.String()),
    status: Type.Optional(literals(TASK_RUN_STATUSES)),
    sourceSessionId: Type.Optional(Type.String()),
    parentSessionId: Type.Optional(Type.String()),
    content: Type.Optional(Type.String()),
    error: Type.Optional(Type.String()),
    sessionCost: Type.Optional(Type.Number()),
    sessionTokens: Type.Optional(SessionTokens),
    startedAt: Type.Optional(Type.String()),
    finishedAt: Type.Optional(Type.String()),
  }),
  'permission.requested': Type.Object({
    permissionId: Type.String(),
    tool: Type.String(),
    input: Type.Unknown(),
    description: Type.String(),
  }),
  /** `response` is what the user sent; `allowed` is the server's reading of it. */
  'permission.resolved': Type.Object({
    permissionId: Type.String(),
    allowed: Type.Boolean(),
    response: Type.Unknown(),
    commandId: Type.String(),
  }),
  'question.asked': Type.Object({ requestId: Type.String(), questions: Type.Array(SessionQuestion) }),
  /** `answers` is null when the question was rejected. */
  'question.resolved': Type.Object({
    requestId: Type.String(),
    answers: Nullable(Type.Array(Type.Unknown())),
    rejected: Type.Boolean(),
    commandId: Type.String(),
  }),
  'todos.updated': Type.Object({
    todos: Type.Array(
      Type.Object({ id: Type.Optional(Type.String()), content: Type.String(), status: Type.String(), priority: Type.String() }),
    ),
  }),
  /** Deltas, summed into the session totals. */
  'cost.updated': Type.Object({ cost: Type.Number(), tokens: Type.Partial(SessionTokens) }),
  'artifact.created': ArtifactEventPayload,
  'artifact.updated': ArtifactEventPayload,
  /** `busy` or `idle`, or a state a newer runtime reports. */
  'session.status': Type.Object({ statusType: Type.String() }),
  /** The last event of a turn. */
  'session.idle': Type.Object({ commandId: Type.Optional(Type.String()) }),
  /** `commandId` is the abort command's id. */
  'session.aborted': Type.Object({ commandId: Type.String() }),
  'runtime.error': Type.Object({ id: Type.String(), commandId: Type.String(), message: Type.String() }),
} satisfies Record<string, TObject>;

/** A projected type of the contract: one whose payload has a schema. */
export type SessionEventPayloadType = keyof typeof SessionEventPayloads;

/** The session event of one projected type: the envelope with `type` fixed and its payload's schema. */
export const sessionEventOf = (type: SessionEventPayloadType) =>
  Type.Object({ ...SessionEventSchema.properties, type: Type.Literal(type), payload: SessionEventPayloads[type] });

/** The workspace mirror of a session event of one projected type. */
export const workspaceEventOf = (type: SessionEventPayloadType) =>
  Type.Object({ ...WorkspaceEventSchema.properties, type: Type.Literal(type), payload: SessionEventPayloads[type] });
