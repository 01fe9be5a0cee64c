import type { FastifyInstance } from 'fastify';
import { openapiPath } from '../../cloud-server/src/openapi.js';

interface Document {
  paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
}

/**
 * Answers the server gives that its OpenAPI document does not list yet, by `METHOD /path`: each a
 * known gap in a route's response schemas, to be fixed there (and removed here). The OpenAPI test
 * fails when an entry is no longer a gap, so the list only shrinks.
 */
export const UNDOCUMENTED_STATUSES: Record<string, number[]> = {
  'POST /api/sessions': [201],
  'POST /api/project-sources/snapshots': [201],
  'POST /api/import/sessions': [201],
  'POST /api/sessions/{id}/prompt': [202],
  'POST /api/sessions/{id}/abort': [202],
  'POST /api/sessions/{id}/question-reply': [202],
  'POST /api/sessions/{id}/question-reject': [202],
  'POST /api/sessions/{id}/permission-respond': [202],
  'POST /api/api-tokens': [201],
  'POST /api/admin/members': [201],
};

/** `201` is listed as `201`, or by its range `2XX`. */
export function isDocumented(responses: Record<string, unknown>, status: number): boolean {
  return String(status) in responses || `${String(status)[0]}XX` in responses;
}

/**
 * Watches every answer of `app` (a test server, before it is ready) against the OpenAPI document
 * it serves, so that every test that drives the real server also proves that each status it gets
 * is a documented one. Returns the undocumented answers seen so far. Left aside: routes the
 * document hides (the `/docs` page), Fastify's HEAD twins, unknown routes, and `304 Not Modified`
 * (a conditional GET's answer, not an operation's).
 */
export function watchDocumentedStatuses(app: FastifyInstance): () => string[] {
  const undocumented = new Set<string>();
  let document: Document = { paths: {} };
  // Generated once before the server listens (it takes a fraction of a second): generating it on
  // the first answer would stall the event loop in the middle of a test's timing.
  app.addHook('onReady', async () => {
    document = app.swagger() as unknown as Document;
  });
  app.addHook('onResponse', async (request, reply) => {
    const url = request.routeOptions.url;
    if (url === undefined || request.method === 'HEAD' || reply.statusCode === 304) return;
    const path = openapiPath(url);
    const operation = document.paths[path]?.[request.method.toLowerCase()];
    if (!operation) return;
    const route = `${request.method} ${path}`;
    if (isDocumented(operation.responses ?? {}, reply.statusCode)) return;
    if (UNDOCUMENTED_STATUSES[route]?.includes(reply.statusCode)) return;
    undocumented.add(`${route} answered ${reply.statusCode}; documented: ${Object.keys(operation.responses ?? {}).join(', ')}`);
  });
  return () => [...undocumented];
}
