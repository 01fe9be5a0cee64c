import { common as commonSchemas, workflows as workflowsSchemas } from '@open-cowork/shared/schemas';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

const { EmptyBody } = commonSchemas;
const {
  SchedulerTickResponse,
  WorkflowCreateResponse,
  WorkflowDraftBody,
  WorkflowListQuery,
  WorkflowListResponse,
  WorkflowParams,
  WorkflowResponse,
  WorkflowRotationResponse,
  WorkflowRunBody,
  WorkflowRunResponse,
} = workflowsSchemas;

type Params = { Params: Static<typeof WorkflowParams> };

/** Workflows (`app.workflows`): the owner's saved prompts, their lifecycle and runs. */
export async function workflowRoutes(app: FastifyInstance) {
  const { workflows } = app;
  const member = { access: 'member' as const };

  app.get<{ Querystring: Static<typeof WorkflowListQuery> }>(
    '/api/workflows',
    { config: member, schema: { querystring: WorkflowListQuery, response: { 200: WorkflowListResponse } } },
    async (request) => workflows.list(request.principal, request.query),
  );

  app.post<{ Body: Static<typeof WorkflowDraftBody> }>(
    '/api/workflows',
    { config: member, schema: { body: WorkflowDraftBody, response: { 201: WorkflowCreateResponse } } },
    async (request, reply) => reply.status(201).send(await workflows.create(request.principal, request.body)),
  );

  // Registered before `/:id` routes would not matter to the router, but it reads better here.
  app.post(
    '/api/workflows/scheduler/tick',
    { config: { access: 'operator' }, schema: { body: EmptyBody, response: { 200: SchedulerTickResponse } } },
    async () => ({ ok: true as const, ...(await workflows.tick()) }),
  );

  app.get<Params>(
    '/api/workflows/:id',
    { config: member, schema: { params: WorkflowParams, response: { 200: WorkflowResponse } } },
    async (request) => workflows.get(request.principal, request.params.id),
  );

  app.post<Params & { Body: Static<typeof WorkflowRunBody> }>(
    '/api/workflows/:id/run',
    { config: member, schema: { params: WorkflowParams, body: WorkflowRunBody, response: { 202: WorkflowRunResponse } } },
    async (request, reply) => reply.status(202).send(await workflows.run(request.principal, request.params.id, request.body)),
  );

  for (const action of ['pause', 'resume', 'archive'] as const) {
    app.post<Params>(
      `/api/workflows/:id/${action}`,
      { config: member, schema: { params: WorkflowParams, body: EmptyBody, response: { 200: WorkflowResponse } } },
      async (request) => workflows.transition(request.principal, request.params.id, action),
    );
  }

  app.post<Params>(
    '/api/workflows/:id/rotate-webhook-secret',
    { config: member, schema: { params: WorkflowParams, body: EmptyBody, response: { 200: WorkflowRotationResponse } } },
    async (request) => workflows.rotateWebhookSecret(request.principal, request.params.id),
  );
}
