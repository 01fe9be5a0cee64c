import { type TSchema, Type } from '@sinclair/typebox';

/** Schema helpers shared by the schema modules. */

/** A union of string literals, built from one of the `as const` lists of the main entry: `literals(SESSION_STATUSES)`. */
export const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((value) => Type.Literal(value)));

/** A record id in a path, query or body. */
export const Id = Type.String({ minLength: 1, maxLength: 200 });

/** `schema` or null. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** Any JSON object; `description` names what it is in the OpenAPI document. */
export const Obj = (description?: string) => Type.Object({}, { additionalProperties: true, ...(description ? { description } : {}) });

/** Any JSON object, typed `Record<string, unknown>`. */
export const JsonObject = Type.Record(Type.String(), Type.Unknown());

/** An ISO 8601 date-time. */
export const Timestamp = Type.String({ format: 'date-time' });

/** A body that takes no fields. */
export const EmptyBody = Type.Object({});

/**
 * A `200` answered as `text/event-stream` (a route's `response` entry): each frame's `data:` line
 * is one JSON value of `schema`. Errors before the stream opens are ordinary JSON answers.
 */
export const eventStream = <T extends TSchema>(schema: T, description: string) => ({
  description,
  content: { 'text/event-stream': { schema } },
});
