/**
 * Tolerant readers for event payloads and stored views: servers of other versions send
 * partial or differently keyed objects, so every reader answers `undefined` instead of throwing.
 * Internal to the package (not re-exported from the index).
 */
import type { SessionTokens } from './projection-view.js';
import type { CloudProjectSourceSummary, SessionAttachment } from './session.js';

export type Payload = Record<string, unknown>;

export const isRecord = (value: unknown): value is Payload => typeof value === 'object' && value !== null && !Array.isArray(value);

export const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/** The first string among the alternative key names a payload field may use. */
export function firstString(payload: Payload, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = str(payload[key]);
    if (value !== undefined) return value;
  }
  return undefined;
}

export const attachmentsOf = (value: unknown): SessionAttachment[] | undefined =>
  Array.isArray(value) ? (value.filter(isRecord) as unknown as SessionAttachment[]) : undefined;

export const stringsOf = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;

export function tokensOf(value: unknown): SessionTokens | undefined {
  if (!isRecord(value)) return undefined;
  const cache = isRecord(value.cache) ? value.cache : {};
  return {
    input: num(value.input) ?? 0,
    output: num(value.output) ?? 0,
    reasoning: num(value.reasoning) ?? 0,
    cacheRead: num(value.cacheRead) ?? num(cache.read) ?? 0,
    cacheWrite: num(value.cacheWrite) ?? num(cache.write) ?? 0,
  };
}

export function projectSourceSummary(value: unknown): CloudProjectSourceSummary | null {
  if (!isRecord(value) || (value.kind !== 'git' && value.kind !== 'snapshot')) return null;
  // Pick the public fields only: the bound source may carry credentialRef/objectKey.
  const summary: CloudProjectSourceSummary = { kind: value.kind };
  for (const key of ['repositoryUrl', 'ref', 'subdirectory', 'snapshotId', 'title'] as const) {
    const field = str(value[key]);
    if (field !== undefined) summary[key] = field;
  }
  return summary;
}
