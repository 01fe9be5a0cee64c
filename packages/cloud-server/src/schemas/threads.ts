import { Type } from '@sinclair/typebox';
import { Id, Nullable } from './common.js';

const Timestamp = Type.String({ format: 'date-time' });
const JsonObject = Type.Record(Type.String(), Type.Unknown());
const SessionStatus = Type.Union([Type.Literal('idle'), Type.Literal('running'), Type.Literal('closed'), Type.Literal('errored')]);
const TagName = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' });
/** CSS colours as the desktop sends them: `#rgb`, `#rrggbb` or `#rrggbbaa`. */
const TagColor = Type.String({ pattern: '^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$' });

export const ThreadSearchQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  /** Repeated; a thread must carry every tag given here and in `tagIds`. */
  tagId: Type.Optional(Type.Array(Id, { maxItems: 50 })),
  /** Comma-separated tag ids. */
  tagIds: Type.Optional(Type.String({ maxLength: 10_000 })),
  q: Type.Optional(Type.String({ maxLength: 200 })),
  /** Repeated session statuses (any of them). */
  status: Type.Optional(Type.Array(SessionStatus, { maxItems: 4 })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
});

const ThreadTag = Type.Object({
  tenantId: Type.String(),
  tagId: Type.String(),
  name: Type.String(),
  color: Nullable(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const Thread = Type.Object({
  tenantId: Type.String(),
  userId: Type.String(),
  sessionId: Type.String(),
  title: Nullable(Type.String()),
  profileName: Type.String(),
  status: SessionStatus,
  createdAt: Timestamp,
  updatedAt: Timestamp,
  tags: Type.Array(ThreadTag),
});

export const ThreadSearchResponse = Type.Object({
  threads: Type.Array(Thread),
  nextCursor: Nullable(Type.String()),
  totalEstimate: Type.Integer(),
});

export const TagParams = Type.Object({ tagId: Id });
export const TagCreateBody = Type.Object({ name: TagName, color: Type.Optional(Nullable(TagColor)) });
export const TagUpdateBody = Type.Object({ name: Type.Optional(TagName), color: Type.Optional(Nullable(TagColor)) });
export const TagAssignmentBody = Type.Object({ sessionIds: Type.Array(Id, { minItems: 1, maxItems: 500 }) });
export const TagResponse = Type.Object({ tag: ThreadTag });
export const TagListResponse = Type.Object({ tags: Type.Array(ThreadTag) });

const SmartFilter = Type.Object({
  tenantId: Type.String(),
  filterId: Type.String(),
  name: Type.String(),
  query: JsonObject,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export const FilterParams = Type.Object({ id: Id });
export const FilterCreateBody = Type.Object({ name: TagName, query: JsonObject });
export const FilterUpdateBody = Type.Object({ name: Type.Optional(TagName), query: Type.Optional(JsonObject) });
export const FilterResponse = Type.Object({ filter: SmartFilter });
export const FilterListResponse = Type.Object({ filters: Type.Array(SmartFilter) });

export const OkResponse = Type.Object({ ok: Type.Literal(true) });
export const DeletedResponse = Type.Object({ deleted: Type.Boolean() });
