import { Type, type TSchema } from '@sinclair/typebox';

/** Schema helpers shared by the schema modules. */

/** A union of string literals: `literals(['a', 'b'] as const)`. */
export const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((value) => Type.Literal(value)));

/** A record id in a path, query or body. */
export const Id = Type.String({ minLength: 1, maxLength: 200 });

/** `schema` or null. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** Any JSON object; `description` names what it is in the OpenAPI document. */
export const Obj = (description?: string) => Type.Object({}, { additionalProperties: true, ...(description ? { description } : {}) });
