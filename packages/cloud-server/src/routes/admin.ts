import { admin as adminSchemas } from '@open-cowork/shared/schemas';
import type { FastifyInstance } from 'fastify';

const { AdminPolicyResponse } = adminSchemas;

/** The org's effective policy as an admin sees it, from configuration. */
export async function adminRoutes(app: FastifyInstance) {
  app.get('/api/admin/policy', { config: { access: 'admin' }, schema: { response: { 200: AdminPolicyResponse } } }, async (request) =>
    app.overview.policy(request.principal),
  );
}
