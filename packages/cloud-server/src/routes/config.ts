import { config as configSchemas } from '@open-cowork/shared/schemas';
import type { FastifyInstance } from 'fastify';

const { RuntimeStatusResponse, TransportConfigResponse, WorkspaceOverviewResponse } = configSchemas;

/** Client configuration, workspace overview and runtime status (workers, leases, queue depth): `app.overview`. */
export async function configRoutes(app: FastifyInstance) {
  const member = { access: 'member' as const };

  app.get('/api/config', { config: member, schema: { response: { 200: TransportConfigResponse } } }, async (request) =>
    app.overview.transportConfig(request.principal),
  );

  app.get('/api/workspace', { config: member, schema: { response: { 200: WorkspaceOverviewResponse } } }, async (request) =>
    app.overview.workspace(request.principal),
  );

  app.get('/api/runtime/status', { config: member, schema: { response: { 200: RuntimeStatusResponse } } }, async (request) =>
    app.overview.runtimeStatus(request.principal),
  );
}
