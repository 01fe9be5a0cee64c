/**
 * The session event-type contract and the event records carried by the
 * session and workspace SSE streams.
 */

/** Version of the event-type contract below; bump it when a type is added, removed or re-meaning'd. */
export const CLOUD_EVENT_CONTRACT_VERSION = 1;

/** One entry of the event-type contract. */
export interface CloudSessionEventTypeContract {
  /** The `type` string on the wire (also the SSE `event:` name). */
  readonly type: string;
  /** Whether the projection reducer folds it into the session view. Control events are not projected. */
  readonly projected: boolean;
  /** Whether a channel gateway (Slack, Telegram, …) renders it to the chat. */
  readonly channelRenderable: boolean;
  /** Parts of the session view the event touches. */
  readonly facets: readonly string[];
  /** Who writes it. */
  readonly producers: readonly string[];
  /** Who reads it. */
  readonly consumers: readonly string[];
  readonly description: string;
}

const PROJECTION_CONSUMERS = ['projection', 'workspace-stream', 'cloud-web', 'desktop'] as const;
const CHANNEL_CONSUMERS = [...PROJECTION_CONSUMERS, 'gateway'] as const;

/** The 19 projected and 2 control event types of contract version 1, in contract order. */
export const CLOUD_SESSION_EVENT_TYPES = [
  {
    type: 'session.created',
    projected: true,
    channelRenderable: false,
    facets: ['session', 'title'],
    producers: ['cloud-server'],
    consumers: PROJECTION_CONSUMERS,
    description: 'A session was created; carries the initial title.',
  },
  {
    type: 'session.imported',
    projected: true,
    channelRenderable: false,
    facets: ['session', 'origin'],
    producers: ['cloud-server'],
    consumers: PROJECTION_CONSUMERS,
    description: 'A local session was imported into the cloud; records where it came from.',
  },
  {
    type: 'session.project_source.bound',
    projected: true,
    channelRenderable: false,
    facets: ['session', 'projectSource'],
    producers: ['cloud-server'],
    consumers: PROJECTION_CONSUMERS,
    description: 'A git repository or uploaded snapshot was bound to the session.',
  },
  {
    type: 'prompt.submitted',
    projected: true,
    channelRenderable: false,
    facets: ['messages'],
    producers: ['cloud-server'],
    consumers: PROJECTION_CONSUMERS,
    description: 'A user prompt was accepted; becomes a user message.',
  },
  {
    type: 'assistant.message',
    projected: true,
    channelRenderable: true,
    facets: ['messages'],
    producers: ['runtime'],
    consumers: CHANNEL_CONSUMERS,
    description: 'Assistant text, either a full replacement or an appended streamed part.',
  },
  {
    type: 'tool.call',
    projected: true,
    channelRenderable: true,
    facets: ['toolCalls'],
    producers: ['runtime'],
    consumers: CHANNEL_CONSUMERS,
    description: 'A tool call started, progressed or finished; upserted by call id.',
  },
  {
    type: 'task.run',
    projected: true,
    channelRenderable: false,
    facets: ['taskRuns'],
    producers: ['runtime'],
    consumers: PROJECTION_CONSUMERS,
    description: 'A sub-agent task run changed state; upserted by task run id.',
  },
  {
    type: 'permission.requested',
    projected: true,
    channelRenderable: true,
    facets: ['pendingApprovals'],
    producers: ['runtime'],
    consumers: CHANNEL_CONSUMERS,
    description: 'The runtime asks the user to allow a tool action.',
  },
  {
    type: 'permission.resolved',
    projected: true,
    channelRenderable: false,
    facets: ['pendingApprovals', 'resolvedApprovals'],
    producers: ['cloud-server', 'runtime'],
    consumers: PROJECTION_CONSUMERS,
    description: 'A permission request was answered (allowed or denied).',
  },
  {
    type: 'question.asked',
    projected: true,
    channelRenderable: true,
    facets: ['pendingQuestions'],
    producers: ['runtime'],
    consumers: CHANNEL_CONSUMERS,
    description: 'The runtime asks the user one or more questions.',
  },
  {
    type: 'question.resolved',
    projected: true,
    channelRenderable: false,
    facets: ['pendingQuestions', 'resolvedQuestions'],
    producers: ['cloud-server', 'runtime'],
    consumers: PROJECTION_CONSUMERS,
    description: 'A question was answered or rejected.',
  },
  {
    type: 'todos.updated',
    projected: true,
    channelRenderable: false,
    facets: ['todos'],
    producers: ['runtime'],
    consumers: PROJECTION_CONSUMERS,
    description: 'The agent replaced its todo list.',
  },
  {
    type: 'cost.updated',
    projected: true,
    channelRenderable: false,
    facets: ['sessionCost', 'sessionTokens'],
    producers: ['runtime'],
    consumers: PROJECTION_CONSUMERS,
    description: 'Cost and token usage deltas, summed into the session totals.',
  },
  {
    type: 'artifact.created',
    projected: true,
    channelRenderable: true,
    facets: ['artifacts'],
    producers: ['cloud-server', 'runtime'],
    consumers: CHANNEL_CONSUMERS,
    description: 'An artifact was stored for the session.',
  },
  {
    type: 'artifact.updated',
    projected: true,
    channelRenderable: true,
    facets: ['artifacts'],
    producers: ['cloud-server'],
    consumers: CHANNEL_CONSUMERS,
    description: 'An artifact changed (for example its review status).',
  },
  {
    type: 'session.status',
    projected: true,
    channelRenderable: false,
    facets: ['status', 'isGenerating'],
    producers: ['runtime'],
    consumers: PROJECTION_CONSUMERS,
    description: 'The runtime reports a status such as busy or idle.',
  },
  {
    type: 'session.idle',
    projected: true,
    channelRenderable: false,
    facets: ['status', 'isGenerating'],
    producers: ['runtime'],
    consumers: PROJECTION_CONSUMERS,
    description: 'The runtime finished its turn.',
  },
  {
    type: 'session.aborted',
    projected: true,
    channelRenderable: false,
    facets: ['isGenerating'],
    producers: ['cloud-server', 'runtime'],
    consumers: PROJECTION_CONSUMERS,
    description: 'The current turn was aborted on request.',
  },
  {
    type: 'runtime.error',
    projected: true,
    channelRenderable: false,
    facets: ['errors', 'lastError'],
    producers: ['runtime', 'cloud-server'],
    consumers: PROJECTION_CONSUMERS,
    description: 'The runtime failed; the message is shown to the user.',
  },
  {
    type: 'snapshot.required',
    projected: false,
    channelRenderable: false,
    facets: ['control'],
    producers: ['cloud-server'],
    consumers: ['cloud-client', 'cloud-web', 'desktop', 'gateway'],
    description: 'The resume cursor is older than the retained events; re-fetch the view and resubscribe.',
  },
  {
    type: 'channel.delivery',
    projected: false,
    channelRenderable: false,
    facets: ['control', 'channel'],
    producers: ['cloud-server'],
    consumers: ['gateway'],
    description: 'A claimed channel delivery on the gateway delivery stream.',
  },
] as const satisfies readonly CloudSessionEventTypeContract[];

/** Every event type name of the contract. */
export type CloudSessionEventType = (typeof CLOUD_SESSION_EVENT_TYPES)[number]['type'];

type ContractEntry = (typeof CLOUD_SESSION_EVENT_TYPES)[number];

/** Event types the projection reducer folds into the view. */
export type ProjectedSessionEventType = Extract<ContractEntry, { projected: true }>['type'];
/** Event types that steer a stream instead of describing the session. */
export type ControlEventType = Extract<ContractEntry, { projected: false }>['type'];
/** Event types a channel gateway renders. */
export type ChannelRenderableEventType = Extract<ContractEntry, { channelRenderable: true }>['type'];

export const PROJECTED_SESSION_EVENT_TYPES: readonly ProjectedSessionEventType[] = CLOUD_SESSION_EVENT_TYPES.filter(
  (entry): entry is Extract<ContractEntry, { projected: true }> => entry.projected,
).map((entry) => entry.type);

export const CONTROL_EVENT_TYPES: readonly ControlEventType[] = CLOUD_SESSION_EVENT_TYPES.filter(
  (entry): entry is Extract<ContractEntry, { projected: false }> => !entry.projected,
).map((entry) => entry.type);

export const CHANNEL_RENDERABLE_EVENT_TYPES: readonly ChannelRenderableEventType[] = CLOUD_SESSION_EVENT_TYPES.filter(
  (entry): entry is Extract<ContractEntry, { channelRenderable: true }> => entry.channelRenderable,
).map((entry) => entry.type);

const KNOWN_TYPES: ReadonlySet<string> = new Set(CLOUD_SESSION_EVENT_TYPES.map((entry) => entry.type));
const PROJECTED_TYPES: ReadonlySet<string> = new Set(PROJECTED_SESSION_EVENT_TYPES);

/** True when `value` is one of the 21 contract event types. */
export function isCloudSessionEventType(value: unknown): value is CloudSessionEventType {
  return typeof value === 'string' && KNOWN_TYPES.has(value);
}

/** True when `value` is one of the 19 projected event types. */
export function isProjectedSessionEventType(value: unknown): value is ProjectedSessionEventType {
  return typeof value === 'string' && PROJECTED_TYPES.has(value);
}

/**
 * An event type on the wire. Kept open (`string & {}`) so events from a newer server are
 * representable and still autocomplete the known names.
 */
export type CloudEventTypeName = CloudSessionEventType | (string & {});

/** One event of the per-session stream. */
export interface CloudSessionEvent {
  tenantId?: string;
  sessionId?: string;
  eventId: string;
  /** Per-session, strictly increasing; the SSE `id:` and the resume cursor. */
  sequence: number;
  entityType?: string;
  entityId?: string;
  operation?: string;
  projectionVersion?: number;
  type: CloudEventTypeName;
  payload: Record<string, unknown>;
  /** ISO 8601. */
  createdAt?: string;
}

/** Operation of a workspace event, derived from the event type name. */
export const WORKSPACE_OPERATIONS = ['create', 'update', 'delete'] as const;
export type CloudWorkspaceOperation = (typeof WORKSPACE_OPERATIONS)[number];

/** What a workspace event is about. */
export const WORKSPACE_EVENT_ENTITY_TYPES = ['session', 'artifact'] as const;

/** One event of the per-user workspace stream: a mirror of a projected session event. */
export interface CloudWorkspaceEvent {
  tenantId: string;
  userId: string;
  sessionId: string | null;
  /** `<sessionId>:<sessionEventId>`. */
  eventId: string;
  /** Per tenant+user, independent of session sequences. */
  sequence: number;
  entityType: (typeof WORKSPACE_EVENT_ENTITY_TYPES)[number];
  /** The session id, or the artifact id for artifact events. */
  entityId: string;
  operation: CloudWorkspaceOperation;
  /** The sequence of the mirrored session event. */
  projectionVersion: number;
  type: CloudEventTypeName;
  payload: Record<string, unknown>;
  createdAt: string;
}

/**
 * Payload of a server-synthesised `snapshot.required` event. A type alias, not an interface, so the
 * event is also a `CloudSessionEvent` (whose payload is a `Record<string, unknown>`).
 */
export type SnapshotRequiredPayload = {
  reason: 'event_retention_gap' | (string & {});
  afterSequence: number;
  earliestSequence: number;
  latestSequence: number;
};

/** Written when the resume cursor falls into a retention gap; `sequence` is the cursor before the gap. */
export interface SnapshotRequiredEvent {
  sessionId?: string;
  sequence: number;
  type: 'snapshot.required';
  /** `snapshot-required:<sequence>`. */
  eventId: string;
  entityType: 'session' | 'workspace';
  entityId: string;
  operation: 'snapshot_required';
  projectionVersion: number;
  createdAt: string;
  payload: SnapshotRequiredPayload;
}

const CREATE_SUFFIXES = ['created', 'submitted', 'uploaded', 'started'];
const DELETE_SUFFIXES = ['deleted', 'removed', 'archived'];

/**
 * The workspace `operation` for an event type: the last dotted segment decides, so
 * `artifact.created` is a create and `session.project_source.bound` an update.
 */
export function workspaceOperationForEventType(type: string): CloudWorkspaceOperation {
  const verb = type.slice(type.lastIndexOf('.') + 1);
  if (CREATE_SUFFIXES.includes(verb)) return 'create';
  if (DELETE_SUFFIXES.includes(verb)) return 'delete';
  return 'update';
}
