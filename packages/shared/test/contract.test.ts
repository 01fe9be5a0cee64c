import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as shared from '../src/index.js';
import type {
  ChannelCursorUpdateResponse,
  CloudSessionEvent,
  CloudSessionEventPayloads,
  CloudWorkspaceEvent,
  PermissionResponseInput,
  SnapshotRequiredEvent,
  TypedCloudSessionEvent,
  TypedCloudWorkspaceEvent,
} from '../src/index.js';
import { type channels, type events, sessions } from '../src/schemas/index.js';

// The types of the main entry are `Static<typeof schema>` wherever a schema can say it all. The few
// written by hand say more than their schema (a discriminated union, an open string that still
// autocompletes); these checks keep each of them in agreement with the schema the server uses.

/** Two types that accept the same values: each is assignable to the other. */
type Agree<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

describe('hand-written types agree with their schemas', () => {
  it('session and workspace events: the typed unions are events of the schemas', () => {
    expectTypeOf<TypedCloudSessionEvent>().toExtend<Static<typeof events.SessionEventSchema>>();
    expectTypeOf<TypedCloudWorkspaceEvent>().toExtend<Static<typeof events.WorkspaceEventSchema>>();
    expectTypeOf<Agree<CloudSessionEvent, Static<typeof events.SessionEventSchema>>>().toEqualTypeOf<true>();
    expectTypeOf<Agree<CloudWorkspaceEvent, Static<typeof events.WorkspaceEventSchema>>>().toEqualTypeOf<true>();
    expectTypeOf<Agree<SnapshotRequiredEvent, Static<typeof events.SnapshotRequiredEventSchema>>>().toEqualTypeOf<true>();
  });

  it('event payloads: every typed payload is the one its schema gives, `session.status` with its known states', () => {
    type Payloads = typeof events.SessionEventPayloads;
    type Disagreeing = {
      [T in keyof Payloads]: Agree<CloudSessionEventPayloads[T], Static<Payloads[T]>> extends true ? never : T;
    }[keyof Payloads];
    expectTypeOf<Disagreeing>().toEqualTypeOf<never>();
    expectTypeOf<keyof CloudSessionEventPayloads>().toEqualTypeOf<keyof Payloads>();
  });

  it('a permission response is a body the permission schema accepts', () => {
    expectTypeOf<PermissionResponseInput>().toExtend<Static<typeof sessions.PermissionBody>>();
  });

  it('the channel cursor answer is the union its schema describes', () => {
    expectTypeOf<Agree<ChannelCursorUpdateResponse, Static<typeof channels.Responses.cursor>>>().toEqualTypeOf<true>();
  });
});

/** Every `as const` list of the main entry: an enum of the contract, defined once. */
const lists = Object.entries(shared as Record<string, unknown>).filter(
  (entry): entry is [string, readonly string[]] =>
    /^[A-Z][A-Z0-9_]+$/.test(entry[0]) && Array.isArray(entry[1]) && entry[1].every((value) => typeof value === 'string'),
);

describe('enums', () => {
  it('are lists of distinct strings', () => {
    expect(lists.length).toBeGreaterThan(20);
    for (const [name, values] of lists) expect(new Set(values).size, name).toBe(values.length);
  });

  it('build the schemas that validate them: the session status schema accepts exactly SESSION_STATUSES', () => {
    const accepts = (schema: TSchema, value: unknown) => Value.Check(schema, value);
    for (const status of shared.SESSION_STATUSES) expect(accepts(sessions.SessionStatusSchema, status)).toBe(true);
    expect(accepts(sessions.SessionStatusSchema, 'error')).toBe(false);
    expect(accepts(Type.Array(sessions.SessionStatusSchema), [...shared.SESSION_STATUSES])).toBe(true);
  });
});
