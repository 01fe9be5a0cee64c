import {
  WORKFLOW_TRIGGER_TYPES,
  type WorkflowCreateResponse,
  type WorkflowDetail,
  type WorkflowDraft,
  type WorkflowListPayload,
  type WorkflowListQuery,
  type WorkflowRun,
  type WorkflowRunInput,
  type WorkflowRunResponse,
  type WorkflowSummary,
  type WorkflowWebhookSecretRotation,
} from '@open-cowork/shared';
import { commandSender, type CloudClientContext, type CloudCommandOptions } from '../core/context.js';
import { iterateCursorPages } from '../core/paginate.js';
import { apiPath } from '../core/path.js';
import {
  check,
  isObject,
  optionalOneOf,
  optionalPositiveInteger,
  optionalStrings,
  requireObject,
  requireOneOf,
  requireText,
} from '../core/validate.js';

function requireDraft(draft: WorkflowDraft): void {
  requireObject(draft, 'The workflow draft');
  requireText(draft.name, 'name');
  requireText(draft.prompt, 'prompt');
  check(Array.isArray(draft.triggers) && draft.triggers.length > 0, 'triggers must be a non-empty array.');
  draft.triggers.forEach((trigger, index) => {
    requireObject(trigger, `triggers[${index}]`);
    requireOneOf(trigger.type, WORKFLOW_TRIGGER_TYPES, `triggers[${index}].type`);
    if (trigger.type === 'schedule') requireText(trigger.cron, `triggers[${index}].cron`);
  });
}

function listQuery(query: WorkflowListQuery) {
  requireObject(query, 'The workflow list query');
  optionalStrings({ cursor: query.cursor });
  optionalPositiveInteger(query.limit, 'limit');
  return { limit: query.limit, cursor: query.cursor };
}

/** Workflows: saved prompts run on manual, schedule or webhook triggers. */
export function createCloudWorkflowsClient(ctx: CloudClientContext) {
  const send = commandSender(ctx);

  /** pause/resume/archive share one shape: `POST …/<action>` with `{}` → `{workflow}`. */
  const transition = async (workflowId: string, action: string, options?: CloudCommandOptions) => {
    const path = `${apiPath`/api/workflows/${workflowId}`}/${action}`;
    return (await send<{ workflow: WorkflowDetail }>('POST', path, {}, options)).workflow;
  };

  const listWorkflows = async (query: WorkflowListQuery = {}): Promise<WorkflowListPayload> =>
    ctx.request<WorkflowListPayload>('/api/workflows', { query: listQuery(query) });

  return {
    /**
     * `GET /api/workflows?limit&cursor`: one page of workflows with their recent runs (≤25 per
     * workflow, ≤100 in all). Pass `nextCursor` back for the next page.
     */
    listWorkflows,

    /** Every workflow, page by page as the loop pulls (`limit` = page size). Runs are left out; see `listWorkflows`. */
    iterateWorkflows(query: Omit<WorkflowListQuery, 'cursor'> = {}): AsyncGenerator<WorkflowSummary, void, undefined> {
      return iterateCursorPages(
        (cursor) => listWorkflows({ ...query, cursor }),
        (page) => page.workflows,
      );
    },

    /** `GET /api/workflows/:id` → the workflow with prompt and triggers; `not_found` when missing. */
    async getWorkflow(workflowId: string): Promise<WorkflowDetail> {
      return (await ctx.request<{ workflow: WorkflowDetail }>(apiPath`/api/workflows/${workflowId}`)).workflow;
    },

    /**
     * `POST /api/workflows` (201): creates a workflow. A webhook trigger's signing secret is in
     * `webhookSecretReveal`, shown this once. Servers of the first contract lack this route
     * (`not_found`, or `forbidden` from the oldest).
     */
    async createWorkflow(draft: WorkflowDraft, options?: CloudCommandOptions): Promise<WorkflowCreateResponse> {
      requireDraft(draft);
      const { name, description, prompt, profileName, triggers } = draft;
      const body = {
        name,
        description,
        prompt,
        profileName,
        triggers: triggers.map(({ type, cron }) => ({ type, cron })),
      };
      return send<WorkflowCreateResponse>('POST', '/api/workflows', body, options);
    },

    /** `POST /api/workflows/:id/run` (202) → the new run; its session is `run.sessionId`. Default trigger `manual`. */
    async runWorkflow(workflowId: string, input: WorkflowRunInput = {}, options?: CloudCommandOptions): Promise<WorkflowRun> {
      const path = apiPath`/api/workflows/${workflowId}/run`;
      requireObject(input, 'The run input');
      optionalOneOf(input.triggerType, WORKFLOW_TRIGGER_TYPES, 'triggerType');
      check(input.triggerPayload == null || isObject(input.triggerPayload), 'triggerPayload must be an object or null.');
      const body = { triggerType: input.triggerType, triggerPayload: input.triggerPayload };
      return (await send<WorkflowRunResponse>('POST', path, body, options)).run;
    },

    /** `POST /api/workflows/:id/pause` → the workflow (status `paused`); `not_found` when missing. */
    async pauseWorkflow(workflowId: string, options?: CloudCommandOptions): Promise<WorkflowDetail> {
      return transition(workflowId, 'pause', options);
    },

    /** `POST /api/workflows/:id/resume` → the workflow (status `active`); `not_found` when missing. */
    async resumeWorkflow(workflowId: string, options?: CloudCommandOptions): Promise<WorkflowDetail> {
      return transition(workflowId, 'resume', options);
    },

    /** `POST /api/workflows/:id/archive` → the workflow (status `archived`); `not_found` when missing. */
    async archiveWorkflow(workflowId: string, options?: CloudCommandOptions): Promise<WorkflowDetail> {
      return transition(workflowId, 'archive', options);
    },

    /**
     * `POST /api/workflows/:id/rotate-webhook-secret` → `{workflow, webhookSecretReveal}`: the new
     * secret, shown this once. `not_found` when the workflow has no webhook trigger.
     */
    async rotateWorkflowWebhookSecret(workflowId: string, options?: CloudCommandOptions): Promise<WorkflowWebhookSecretRotation> {
      const path = apiPath`/api/workflows/${workflowId}/rotate-webhook-secret`;
      return send<WorkflowWebhookSecretRotation>('POST', path, {}, options);
    },
  };
}

/** The workflows domain's methods. */
export type CloudWorkflowsClient = ReturnType<typeof createCloudWorkflowsClient>;
