import { health as healthSchemas } from '@open-cowork/shared/schemas';
import type { FastifyInstance } from 'fastify';
import { httpError } from '../errors.js';

const { LivenessResponse, MetricsResponse, ReadinessResponse } = healthSchemas;

/**
 * `/livez`: the process answers. `/readyz`: it can serve (store reachable, not shutting down).
 * `/api/metrics`: operator-only process and tenancy figures.
 */
export async function healthRoutes(app: FastifyInstance) {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });

  app.get('/livez', { config: { access: 'public' }, schema: { response: { 200: LivenessResponse } } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { access: 'public' }, schema: { response: { 200: ReadinessResponse } } }, async () => {
    if (closing) throw httpError('server.shutting_down', 'The server is shutting down.', { retryAfterMs: 1_000 });
    await app.overview.requireStore();
    return { status: 'ready' };
  });

  app.get('/api/metrics', { config: { access: 'operator' }, schema: { response: { 200: MetricsResponse } } }, async () =>
    app.overview.metrics(),
  );
}
