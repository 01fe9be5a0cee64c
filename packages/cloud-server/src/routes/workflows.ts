import { common as commonSchemas, workflows as workflowsSchemas } from '@open-cowork/shared/schemas';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';

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

const PAST = { pause: 'paused', resume: 'resumed', archive: 'archived' } as const;

type Params = { Params: Static<typeof WorkflowParams> };

const caller = (request: FastifyRequest) => ({ tenantId: request.principal.tenantId, userId: request.principal.userId });

/** Workflows: the owner's saved prompts, their lifecycle and runs. */
export async function workflowRoutes(app: FastifyInstance) {
  const member = { access: 'member' as const };
  const audit = (request: FastifyRequest, action: string, workflowId: string, metadata?: Record<string, unknown>) =>
    app.audit.record(app.db, request.principal, {
      action,
      targetType: 'workflow',
      targetId: workflowId,
      ...(metadata ? { metadata } : {}),
    });

  app.get<{ Querystring: Static<typeof WorkflowListQuery> }>(
    '/api/workflows',
    { config: member, schema: { querystring: WorkflowListQuery, response: { 200: WorkflowListResponse } } },
    async (request) => app.workflows.list(caller(request), request.query),
  );

  app.post<{ Body: Static<typeof WorkflowDraftBody> }>(
    '/api/workflows',
    { config: member, schema: { body: WorkflowDraftBody, response: { 201: WorkflowCreateResponse } } },
    async (request, reply) => {
      const { description, triggers, ...draft } = request.body;
      const created = await app.workflows.create(caller(request), {
        ...draft,
        ...(description ? { description } : {}),
        triggers: triggers.map(({ type, cron }) => ({ type, ...(cron ? { cron } : {}) })),
      });
      await audit(request, 'workflow.created', created.workflow.workflowId, { triggerTypes: created.workflow.triggerTypes });
      return reply.status(201).send(created);
    },
  );

  // Registered before `/:id` routes would not matter to the router, but it reads better here.
  app.post(
    '/api/workflows/scheduler/tick',
    { config: { access: 'operator' }, schema: { body: EmptyBody, response: { 200: SchedulerTickResponse } } },
    async () => ({ ok: true as const, ...(await app.workflows.tick()) }),
  );

  app.get<Params>(
    '/api/workflows/:id',
    { config: member, schema: { params: WorkflowParams, response: { 200: WorkflowResponse } } },
    async (request) => ({ workflow: await app.workflows.get(caller(request), request.params.id) }),
  );

  app.post<Params & { Body: Static<typeof WorkflowRunBody> }>(
    '/api/workflows/:id/run',
    { config: member, schema: { params: WorkflowParams, body: WorkflowRunBody, response: { 202: WorkflowRunResponse } } },
    async (request, reply) => {
      const response = await app.workflows.run(caller(request), request.params.id, request.body);
      await audit(request, 'workflow.run_started', request.params.id, {
        runId: response.run.runId,
        sessionId: response.sessionId,
        triggerType: response.run.triggerType,
      });
      return reply.status(202).send(response);
    },
  );

  for (const action of ['pause', 'resume', 'archive'] as const) {
    app.post<Params>(
      `/api/workflows/:id/${action}`,
      { config: member, schema: { params: WorkflowParams, body: EmptyBody, response: { 200: WorkflowResponse } } },
      async (request) => {
        const workflow = await app.workflows.transition(caller(request), request.params.id, action);
        await audit(request, `workflow.${PAST[action]}`, workflow.workflowId, { status: workflow.status });
        return { workflow };
      },
    );
  }

  app.post<Params>(
    '/api/workflows/:id/rotate-webhook-secret',
    { config: member, schema: { params: WorkflowParams, body: EmptyBody, response: { 200: WorkflowRotationResponse } } },
    async (request) => {
      const rotated = await app.workflows.rotateWebhookSecret(caller(request), request.params.id);
      // The secret itself never reaches the audit log.
      await audit(request, 'workflow.webhook_secret_rotated', request.params.id, { triggerId: rotated.webhookSecretReveal.triggerId });
      return rotated;
    },
  );
}
