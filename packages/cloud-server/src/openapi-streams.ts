import { CLOUD_SESSION_EVENT_TYPES } from '@open-cowork/shared';
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

const SESSION_EVENT_TYPES = CLOUD_SESSION_EVENT_TYPES.filter((entry) => entry.type !== 'channel.delivery').map((entry) => entry.type);
const EventType = Type.String({
  description: 'An event type of the contract (the SSE `event:` name). Kept open: a newer server may send types this list lacks.',
  examples: SESSION_EVENT_TYPES,
});

/** One SSE message: `id:` (when it has one), `event:` and a `data:` line holding JSON of `data`. */
function message(event: TSchema, data: object, id?: string) {
  return Type.Object({
    ...(id ? { id: Type.String({ description: id }) } : {}),
    event,
    data: Type.String({ contentMediaType: 'application/json', contentSchema: data }),
  });
}

const SEQUENCE_ID = 'The event’s `sequence`; a reconnect sends it back as `Last-Event-ID`.';

/** The schemas the streams refer to, for `components.schemas`. */
export const STREAM_SCHEMAS: Record<string, TSchema> = {
  SessionEvent: events.SessionEventSchema,
  WorkspaceEvent: events.WorkspaceEventSchema,
  SnapshotRequiredEvent: events.SnapshotRequiredEventSchema,
  ChannelDelivery: channels.ChannelDeliverySchema,
  SessionStreamMessage: Type.Union(
    [
      message(Type.Literal('snapshot.required'), ref('SnapshotRequiredEvent'), SEQUENCE_ID),
      message(EventType, ref('SessionEvent'), SEQUENCE_ID),
    ],
    { description: 'One message of a session’s event stream.' },
  ),
  WorkspaceStreamMessage: Type.Union(
    [
      message(Type.Literal('snapshot.required'), ref('SnapshotRequiredEvent'), SEQUENCE_ID),
      message(EventType, ref('WorkspaceEvent'), SEQUENCE_ID),
    ],
    { description: 'One message of the workspace event stream.' },
  ),
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
