import type { FastifyInstance } from 'fastify';
import { httpError } from '../errors.js';

/** `/livez`: the process answers. `/readyz`: it can serve (store reachable, not shutting down). */
export async function healthRoutes(app: FastifyInstance) {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });

  app.get('/livez', { config: { access: 'public' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { access: 'public' } }, async () => {
    if (closing) throw httpError(503, 'server.shutting_down', 'The server is shutting down.', { retryAfterMs: 1_000 });
    try {
      await app.db.query('SELECT 1');
    } catch {
      throw httpError(503, 'store.unavailable', 'The store is unavailable.', { retryAfterMs: 1_000 });
    }
    return { status: 'ready' };
  });
}
