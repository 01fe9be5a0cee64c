import { Type } from '@sinclair/typebox';
import { WORKSPACE_EVENT_ENTITY_TYPES, WORKSPACE_OPERATIONS } from '../events.js';
import { Id, JsonObject, literals, Nullable, Timestamp } from './common.js';

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
