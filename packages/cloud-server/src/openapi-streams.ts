import { type TSchema, Type } from '@sinclair/typebox';
import { channels, events } from '@open-cowork/shared/schemas';

/**
 * The SSE streams in the OpenAPI document. OpenAPI 3.1 has no notation for a stream of messages,
 * so each stream's `text/event-stream` response has the schema of one message: its `id:`, its
 * `event:` name and its `data:` line, a JSON text whose schema is given as `contentSchema`.
 * `openapi.ts` puts these schemas under `components.schemas` and applies them to the operations
 * the operation table marks with a `stream`.
 */

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const EventType = Type.String({
  description: 'An event type the contract does not list (the SSE `event:` name): a newer server may send types this document lacks.',
});
const TYPED = Object.keys(events.SessionEventPayloads) as events.SessionEventPayloadType[];

/** One SSE message: `id:` (when it has one), `event:` and a `data:` line holding JSON of `data`. */
function message(event: TSchema, data: object, id?: string) {
  return Type.Object({
    ...(id ? { id: Type.String({ description: id }) } : {}),
    event,
    data: Type.String({ contentMediaType: 'application/json', contentSchema: data }),
  });
}

const SEQUENCE_ID = 'The event’s `sequence`; a reconnect sends it back as `Last-Event-ID`.';

/**
 * A stream's messages: `snapshot.required`, one per projected event type (its payload typed), and
 * any other type, delivered with an untyped payload.
 */
function eventMessages(stream: 'Session' | 'Workspace', description: string) {
  return Type.Union(
    [
      message(Type.Literal('snapshot.required'), ref('SnapshotRequiredEvent'), SEQUENCE_ID),
      ...TYPED.map((type) => message(Type.Literal(type), ref(`${stream}Event.${type}`), SEQUENCE_ID)),
      message(EventType, ref(`${stream}Event`), SEQUENCE_ID),
    ],
    { description },
  );
}

/** The schemas the streams refer to, for `components.schemas`. */
export const STREAM_SCHEMAS: Record<string, TSchema> = {
  SessionEvent: events.SessionEventSchema,
  WorkspaceEvent: events.WorkspaceEventSchema,
  ...Object.fromEntries(TYPED.map((type) => [`SessionEvent.${type}`, events.sessionEventOf(type)])),
  ...Object.fromEntries(TYPED.map((type) => [`WorkspaceEvent.${type}`, events.workspaceEventOf(type)])),
  SnapshotRequiredEvent: events.SnapshotRequiredEventSchema,
  ChannelDelivery: channels.ChannelDeliverySchema,
  SessionStreamMessage: eventMessages('Session', 'One message of a session’s event stream.'),
  WorkspaceStreamMessage: eventMessages('Workspace', 'One message of the workspace event stream.'),
  DeliveryStreamMessage: Type.Union(
    [
      message(
        Type.Literal('channel.delivery'),
        Type.Object({ delivery: Type.Unsafe(ref('ChannelDelivery')) }),
        'The delivery id. The delivery is claimed by this stream until its lease ends: ack, renew, retry or dead-letter it.',
      ),
      message(Type.Literal('error'), ref('ErrorBody')),
    ],
    { description: 'One message of the delivery stream: a claimed delivery, or a failed poll reported once as `error`.' },
  ),
};

/** The streams the operation table can name, with their message schema and whether they resume by sequence. */
export const STREAMS = {
  session: { message: 'SessionStreamMessage', resumable: true },
  workspace: { message: 'WorkspaceStreamMessage', resumable: true },
  deliveries: { message: 'DeliveryStreamMessage', resumable: false },
} as const;

export type StreamName = keyof typeof STREAMS;
