import { createHash } from 'node:crypto';

/**
 * Opaque keyset cursors of the list routes: base64url JSON of
 * `{v: 1, <time>, <id>, scopeHash}`, the position of the last row of a page. The scope hash ties a
 * cursor to the listing it came from (caller and filters): replayed against another listing, it is
 * refused with the format's 400 rather than silently skipping rows.
 */
export interface CursorFormat<Time extends string, Id extends string> {
  /** The timestamp field of the position (ISO 8601 text). */
  time: Time;
  /** The id field that breaks ties between equal timestamps. */
  id: Id;
  /** The coded 400 of a garbled cursor or one of another listing. */
  invalid: () => Error;
}

export type CursorPosition<Time extends string, Id extends string> = Record<Time | Id, string>;

/** The hash of a listing's scope, as stored in its cursors; `scope` is hashed as serialised. */
export function cursorScope(scope: unknown): string {
  return createHash('sha256').update(JSON.stringify(scope)).digest('base64url');
}

/** Encoding, decoding and paging for one cursor format. */
export function keysetCursor<Time extends string, Id extends string>(format: CursorFormat<Time, Id>) {
  const encode = (position: CursorPosition<Time, Id>, scope: string): string =>
    Buffer.from(
      JSON.stringify({ v: 1, [format.time]: position[format.time], [format.id]: position[format.id], scopeHash: scope }),
    ).toString('base64url');

  return {
    encode,

    /** The position in `raw`; throws `format.invalid()` unless it is a cursor of this scope. */
    decode(raw: string, scope: string): CursorPosition<Time, Id> {
      let value: Record<string, unknown> | null;
      try {
        value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Record<string, unknown> | null;
      } catch {
        throw format.invalid();
      }
      const time = value?.[format.time];
      const id = value?.[format.id];
      // Text that parses: `Date.parse(0)` parses too, and a number is no keyset position.
      if (
        value?.v !== 1 ||
        value.scopeHash !== scope ||
        typeof id !== 'string' ||
        typeof time !== 'string' ||
        Number.isNaN(Date.parse(time))
      ) {
        throw format.invalid();
      }
      return { [format.time]: time, [format.id]: id } as CursorPosition<Time, Id>;
    },

    /**
     * A page of `rows` fetched with `limit + 1`: the first `limit` rows, and the cursor after the
     * last of them, or null when the extra row shows there is no next page.
     */
    page<Row extends CursorPosition<Time, Id>>(rows: Row[], limit: number, scope: string): { page: Row[]; nextCursor: string | null } {
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return { page, nextCursor: rows.length > limit && last !== undefined ? encode(last, scope) : null };
    },
  };
}
