import type { FastifyInstance } from 'fastify';
import { httpError } from '../errors.js';

/**
 * `/livez`: the process answers. `/readyz`: it can serve (store reachable, not shutting down).
 * `/api/metrics`: operator-only process and tenancy figures.
 */
export async function healthRoutes(app: FastifyInstance) {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });

  app.get('/livez', { config: { access: 'public' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { access: 'public' } }, async () => {
    if (closing) throw httpError('server.shutting_down', 'The server is shutting down.', { retryAfterMs: 1_000 });
    try {
      await app.db.query('SELECT 1');
    } catch {
      throw httpError('store.unavailable', 'The store is unavailable.', { retryAfterMs: 1_000 });
    }
    return { status: 'ready' };
  });

  app.get('/api/metrics', { config: { access: 'operator' } }, async () => {
    const { rows } = await app.db.query<{ orgs: number; users: number; tokens: number }>(
      `SELECT (SELECT count(*) FROM orgs) AS orgs, (SELECT count(*) FROM users) AS users,
              (SELECT count(*) FROM api_tokens WHERE revoked_at IS NULL) AS tokens`,
    );
    return {
      uptimeSeconds: Math.round(process.uptime()),
      rssBytes: process.memoryUsage().rss,
      store: app.db.engine,
      ...rows[0],
    };
  });
}
