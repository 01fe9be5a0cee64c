import { invalidRequest } from './errors.js';

/**
 * Builds an `/api/…` path, percent-encoding every interpolated segment. An empty or non-string id
 * is a `request` error, so a bad call fails before any I/O.
 *
 * @example apiPath`/api/sessions/${sessionId}/prompt`
 */
export function apiPath(strings: TemplateStringsArray, ...segments: unknown[]): string {
  let path = strings[0] ?? '';
  segments.forEach((segment, index) => {
    if (typeof segment !== 'string' || segment.trim() === '') {
      throw invalidRequest(`Path segment ${index + 1} of ${strings.join('…')} must be a non-empty string.`);
    }
    path += encodeURIComponent(segment) + (strings[index + 1] ?? '');
  });
  return path;
}
