/**
 * Column conversions shared by the store modules. The two engines return some types differently
 * (`pg` gives int8 as a string, PGlite as a number), so every row goes through these.
 */
export function int(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

export function iso(value: unknown): string {
  return (value instanceof Date ? value : new Date(String(value))).toISOString();
}

export function isoOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : iso(value);
}

/** '' stands for "absent" in natural-key columns (see 0005_channels.sql), so that they can be unique. */
export function keyOf(value: string | null | undefined): string {
  return value ?? '';
}

/** Text, or null for SQL NULL and for '' (which stands for "absent" in natural-key columns). */
export function textOrNull(value: unknown): string | null {
  return value === '' || value === null || value === undefined ? null : String(value);
}

/** A JSON parameter: `pg` would turn a JS array into a Postgres array, so JSON is always sent as text. */
export function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}
