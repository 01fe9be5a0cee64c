import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * `GET /metrics` in the Prometheus text format, for the operator only (the operator token, or a
 * token with the `operator` scope): request counts and latency by route and status, open event
 * streams, and, read from the store at scrape time, queued session commands, session leases held
 * by runtime workers and held delivery leases. Each app has its own registry, so several servers in one process do not collide.
 */
export const metrics = fp(
  async (app: FastifyInstance) => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const requests = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests by method, route and status: count and latency (an event stream counts when it ends).',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    new Gauge({
      name: 'sse_open_streams',
      help: 'Event streams (session, workspace and delivery streams) open now.',
      registers: [registry],
      collect() {
        this.set(app.streams.engine.stats().streams);
      },
    });
    new Gauge({
      name: 'session_commands_queued',
      help: 'Session commands accepted and not yet finished (pending or running).',
      registers: [registry],
      async collect() {
        const { rows } = await app.db.query<{ count: number }>(
          `SELECT count(*)::int AS count FROM session_commands WHERE status IN ('pending', 'running')`,
        );
        this.set(rows[0]?.count ?? 0);
      },
    });
    new Gauge({
      name: 'session_leases_held',
      help: 'Sessions whose commands a live runtime worker holds the lease of.',
      registers: [registry],
      async collect() {
        const { rows } = await app.db.query<{ count: number }>(
          `SELECT count(*)::int AS count FROM session_leases WHERE worker_id IS NOT NULL AND expires_at > now()`,
        );
        this.set(rows[0]?.count ?? 0);
      },
    });
    new Gauge({
      name: 'channel_delivery_leases_held',
      help: 'Channel deliveries claimed by a gateway whose lease has not expired.',
      registers: [registry],
      async collect() {
        const { rows } = await app.db.query<{ count: number }>(
          `SELECT count(*)::int AS count FROM channel_deliveries WHERE status = 'claimed' AND claim_expires_at > now()`,
        );
        this.set(rows[0]?.count ?? 0);
      },
    });

    app.addHook('onResponse', async (request, reply) => {
      // The route pattern, not the path: ids would make a label per resource.
      const route = request.routeOptions.url ?? 'unmatched';
      requests.observe({ method: request.method, route, status_code: reply.statusCode }, reply.elapsedTime / 1000);
    });

    app.get(
      '/metrics',
      { config: { access: 'operator' }, schema: { summary: 'Prometheus metrics (text format), for the operator.' } },
      async (_request, reply) => {
        reply.type(registry.contentType);
        return registry.metrics();
      },
    );
  },
  { name: 'metrics', dependencies: ['store', 'session-services'] },
);
