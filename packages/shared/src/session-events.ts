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
import type { Static } from '@sinclair/typebox';
import type { CloudSessionEvent, CloudWorkspaceEvent } from './events.js';
import type * as S from './schemas/events.js';

type PayloadOf<T extends S.SessionEventPayloadType> = Static<(typeof S.SessionEventPayloads)[T]>;

/** An artifact event's payload: the stored artifact's public fields (the runtime sends fewer). */
export type ArtifactEventPayload = PayloadOf<'artifact.created'>;

/** One question of `question.asked`. */
export type CloudSessionQuestion = Static<typeof S.SessionQuestion>;

/**
 * The payload of every event type of the contract, by type (`schemas/events.ts`,
 * `SessionEventPayloads`, says what each field means). `session.status` keeps its two known
 * states for autocompletion while accepting any other.
 */
export type CloudSessionEventPayloads = { [T in Exclude<S.SessionEventPayloadType, 'session.status'>]: PayloadOf<T> } & {
  'session.status': { statusType: 'busy' | 'idle' | (string & {}) };
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
