import { invalidRequest } from './errors.js';

/**
 * Builds an `/api/…` path, percent-encoding every interpolated segment. The one way every domain
 * puts an id into a path: a segment that is not a string, or is empty, `.` or `..` after trimming,
 * is a `request` error before any I/O, so no id can climb out of its route (`getSession('..')`
 * would otherwise reach `/api/`).
 *
 * @example apiPath`/api/sessions/${sessionId}/prompt`
 */
export function apiPath(strings: TemplateStringsArray, ...segments: unknown[]): string {
  let path = strings[0] ?? '';
  segments.forEach((segment, index) => {
    const trimmed = typeof segment === 'string' ? segment.trim() : '';
    if (trimmed === '' || trimmed === '.' || trimmed === '..') {
      throw invalidRequest(
        `Path segment ${index + 1} of ${strings.join(':id')} must be a non-empty string other than "." and ".." (got ${
          typeof segment === 'string' ? JSON.stringify(segment) : typeof segment
        }).`,
      );
    }
    path += encodeURIComponent(segment as string) + (strings[index + 1] ?? '');
  });
  return path;
}
