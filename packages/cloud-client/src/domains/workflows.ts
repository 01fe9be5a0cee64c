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
import type { CloudClientContext, CloudCommandOptions } from '../core/context.js';
import { invalidRequest } from '../core/errors.js';
import { iterateCursorPages } from '../core/paginate.js';
import { apiPath } from '../core/path.js';

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireText(value: unknown, name: string): void {
  if (typeof value !== 'string' || value.trim() === '') throw invalidRequest(`${name} must be a non-empty string.`);
}

function requireTriggerType(value: unknown, name: string): void {
  if (!WORKFLOW_TRIGGER_TYPES.includes(value as never)) {
    throw invalidRequest(`${name} must be one of ${WORKFLOW_TRIGGER_TYPES.join(', ')}.`);
  }
}

function requireDraft(draft: WorkflowDraft): void {
  if (!isObject(draft)) throw invalidRequest('The workflow draft must be an object.');
  requireText(draft.name, 'name');
  requireText(draft.prompt, 'prompt');
  if (!Array.isArray(draft.triggers) || draft.triggers.length === 0) {
    throw invalidRequest('triggers must be a non-empty array.');
  }
  draft.triggers.forEach((trigger, index) => {
    if (!isObject(trigger)) throw invalidRequest(`triggers[${index}] must be an object.`);
    requireTriggerType(trigger.type, `triggers[${index}].type`);
    if (trigger.type === 'schedule') requireText(trigger.cron, `triggers[${index}].cron`);
  });
}

/** Query strings: absent (undefined or null) or a string; anything else is a caller bug. */
function optionalStrings(values: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(values)) {
    if (value != null && typeof value !== 'string') throw invalidRequest(`${name} must be a string.`);
  }
}

function listQuery(query: WorkflowListQuery) {
  if (!isObject(query)) throw invalidRequest('The workflow list query must be an object.');
  optionalStrings({ cursor: query.cursor });
  if (query.limit !== undefined && (!Number.isInteger(query.limit) || query.limit < 1)) {
    throw invalidRequest('limit must be a positive integer.');
  }
  return { limit: query.limit, cursor: query.cursor };
}

/** Workflows: saved prompts run on manual, schedule or webhook triggers (wire contract §2.3). */
export function createCloudWorkflowsClient(ctx: CloudClientContext) {
  const post = <T>(path: string, body: object, options: CloudCommandOptions = {}) =>
    ctx.request<T>(path, { method: 'POST', body, idempotencyKey: options.idempotencyKey, signal: options.signal });

  /** pause/resume/archive share one shape: `POST …/<action>` with `{}` → `{workflow}`. */
  const transition = async (workflowId: string, action: string, options?: CloudCommandOptions) => {
    const path = `${apiPath`/api/workflows/${workflowId}`}/${action}`;
    return (await post<{ workflow: WorkflowDetail }>(path, {}, options)).workflow;
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
      return post<WorkflowCreateResponse>('/api/workflows', body, options);
    },

    /** `POST /api/workflows/:id/run` (202) → the new run; its session is `run.sessionId`. Default trigger `manual`. */
    async runWorkflow(
      workflowId: string,
      input: WorkflowRunInput = {},
      options?: CloudCommandOptions,
    ): Promise<WorkflowRun> {
      const path = apiPath`/api/workflows/${workflowId}/run`;
      if (!isObject(input)) throw invalidRequest('The run input must be an object.');
      if (input.triggerType !== undefined) requireTriggerType(input.triggerType, 'triggerType');
      if (input.triggerPayload != null && !isObject(input.triggerPayload)) {
        throw invalidRequest('triggerPayload must be an object or null.');
      }
      const body = { triggerType: input.triggerType, triggerPayload: input.triggerPayload };
      return (await post<WorkflowRunResponse>(path, body, options)).run;
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
    async rotateWorkflowWebhookSecret(
      workflowId: string,
      options?: CloudCommandOptions,
    ): Promise<WorkflowWebhookSecretRotation> {
      const path = apiPath`/api/workflows/${workflowId}/rotate-webhook-secret`;
      return post<WorkflowWebhookSecretRotation>(path, {}, options);
    },
  };
}

/** The workflows domain's methods. */
export type CloudWorkflowsClient = ReturnType<typeof createCloudWorkflowsClient>;
