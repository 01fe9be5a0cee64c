/**
 * Session events as a discriminated union on `type`: the payload of each event type of the
 * contract, typed as the reference server and its runtimes write it. Narrowing on `type` gives the
 * exact event:
 *
 *     if (event.type === 'assistant.message') reply += event.payload.content;
 *
 * Events of a type this contract does not know (a newer server) are still delivered, as an
 * `UnknownCloudSessionEvent`.
 */
import type { ArtifactKind, ArtifactStatus } from './artifacts.js';
import type { CloudSessionEvent, CloudWorkspaceEvent } from './events.js';
import type { SessionTokens, TaskRunStatus, ToolCallStatus } from './projection-view.js';
import type { CloudProjectSourceSummary, SessionAttachment, SessionImportItemCounts } from './session.js';

/** An artifact event's payload: the stored artifact's public fields (the runtime sends fewer). */
export type ArtifactEventPayload = {
  artifactId: string;
  filename: string;
  contentType: string;
  size: number;
  kind: ArtifactKind;
  status: ArtifactStatus;
  cloudArtifactId?: string;
  mime?: string;
  filePath?: string;
  authorAgentId?: string | null;
  projectId?: string | null;
  taskId?: string | null;
  statusUpdatedBy?: string | null;
  statusUpdatedAt?: string | null;
};

/** One question of `question.asked`. */
export type CloudSessionQuestion = {
  header: string;
  question: string;
  options: { label: string }[];
};

/** The payload of every event type of the contract, by type. */
export type CloudSessionEventPayloads = {
  'session.created': { title: string | null; profileName?: string };
  'session.imported': { sourceFingerprint: string; importedAt: string; itemCounts: SessionImportItemCounts };
  'session.project_source.bound': { projectSource: CloudProjectSourceSummary };
  /** `commandId` is absent on imported messages. */
  'prompt.submitted': {
    messageId: string;
    text: string;
    commandId?: string;
    agent?: string | null;
    attachments?: SessionAttachment[];
  };
  /** `mode: 'append'` adds `content` to the message with this id; without it, `content` replaces it. */
  'assistant.message': { messageId: string; content: string; mode?: 'append'; attachments?: SessionAttachment[] };
  /** Upserted by `id`: `running` first, then `complete` (with `output`) or `error`. */
  'tool.call': { id: string; name: string; input: unknown; status: ToolCallStatus; output?: unknown };
  /** Upserted by `taskRunId`; fields left out keep their earlier value. */
  'task.run': {
    taskRunId: string;
    title?: string;
    agent?: string;
    status?: TaskRunStatus;
    sourceSessionId?: string;
    parentSessionId?: string;
    content?: string;
    error?: string;
    sessionCost?: number;
    sessionTokens?: SessionTokens;
    startedAt?: string;
    finishedAt?: string;
  };
  'permission.requested': { permissionId: string; tool: string; input: unknown; description: string };
  /** `response` is what the user sent; `allowed` is the server's reading of it. */
  'permission.resolved': { permissionId: string; allowed: boolean; response: unknown; commandId: string };
  'question.asked': { requestId: string; questions: CloudSessionQuestion[] };
  /** `answers` is null when the question was rejected. */
  'question.resolved': { requestId: string; answers: unknown[] | null; rejected: boolean; commandId: string };
  'todos.updated': { todos: { id?: string; content: string; status: string; priority: string }[] };
  /** Deltas, summed into the session totals. */
  'cost.updated': { cost: number; tokens: Partial<SessionTokens> };
  'artifact.created': ArtifactEventPayload;
  'artifact.updated': ArtifactEventPayload;
  'session.status': { statusType: 'busy' | 'idle' | (string & {}) };
  'session.idle': Record<string, never>;
  /** `commandId` is the abort command's id. */
  'session.aborted': { commandId: string };
  'runtime.error': { id: string; commandId: string; message: string };
};

/**
 * The type names of the contract (`CLOUD_SESSION_EVENT_TYPES`), as a plain list: a client that
 * needs only the names (to listen for each on an EventSource) does not bundle the whole contract.
 */
export const CLOUD_SESSION_EVENT_TYPE_NAMES = [
  'session.created',
  'session.imported',
  'session.project_source.bound',
  'prompt.submitted',
  'assistant.message',
  'tool.call',
  'task.run',
  'permission.requested',
  'permission.resolved',
  'question.asked',
  'question.resolved',
  'todos.updated',
  'cost.updated',
  'artifact.created',
  'artifact.updated',
  'session.status',
  'session.idle',
  'session.aborted',
  'runtime.error',
  'snapshot.required',
  'channel.delivery',
] as const;

/** The event types whose payload this package types: the projected types of the contract. */
export type KnownCloudSessionEventType = keyof CloudSessionEventPayloads;

/**
 * Stands for the type name of an event this contract does not know. A type of its own rather than
 * `string`, so that `event.type === 'assistant.message'` narrows to the assistant message alone; it
 * is a string at run time (compare it as `event.type as string`). Types only: nothing exists at run
 * time.
 */
export declare enum UnknownCloudSessionEventType {
  Unknown = '',
}

type SessionEnvelope = Omit<CloudSessionEvent, 'type' | 'payload'>;
type WorkspaceEnvelope = Omit<CloudWorkspaceEvent, 'type' | 'payload'>;

/** The session event of type `T`, its payload typed. */
export type CloudSessionEventOf<T extends KnownCloudSessionEventType> = SessionEnvelope & {
  type: T;
  payload: CloudSessionEventPayloads[T];
};

/** A session event of a type this contract does not know, delivered as parsed. */
export type UnknownCloudSessionEvent = SessionEnvelope & {
  type: UnknownCloudSessionEventType;
  payload: Record<string, unknown>;
};

/** Every session event, discriminated on `type`. */
export type TypedCloudSessionEvent =
  | { [T in KnownCloudSessionEventType]: CloudSessionEventOf<T> }[KnownCloudSessionEventType]
  | UnknownCloudSessionEvent;

/** The workspace-stream mirror of the session event of type `T`. */
export type CloudWorkspaceEventOf<T extends KnownCloudSessionEventType> = WorkspaceEnvelope & {
  type: T;
  payload: CloudSessionEventPayloads[T];
};

/** A workspace event of a type this contract does not know, delivered as parsed. */
export type UnknownCloudWorkspaceEvent = WorkspaceEnvelope & {
  type: UnknownCloudSessionEventType;
  payload: Record<string, unknown>;
};

/** Every workspace event, discriminated on `type`. */
export type TypedCloudWorkspaceEvent =
  | { [T in KnownCloudSessionEventType]: CloudWorkspaceEventOf<T> }[KnownCloudSessionEventType]
  | UnknownCloudWorkspaceEvent;
