import { Type } from '@sinclair/typebox';
import { WORKFLOW_RUN_STATUSES, WORKFLOW_STATUSES, WORKFLOW_TRIGGER_TYPES } from '../workflows.js';
import { Id, JsonObject, literals, Nullable, Timestamp } from './common.js';
import { SessionCommandRecord } from './sessions.js';

export const TriggerType = literals(WORKFLOW_TRIGGER_TYPES);
const WorkflowStatus = literals(WORKFLOW_STATUSES);
const RunStatus = literals(WORKFLOW_RUN_STATUSES);

export const WorkflowParams = Type.Object({ id: Id });

export const WorkflowListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
});

export const WorkflowDraftBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
  description: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  /** The prompt every run submits. */
  prompt: Type.String({ minLength: 1, maxLength: 100_000, pattern: '\\S' }),
  /** Profile the run sessions use; the caller's default when absent. */
  profileName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  /** At least one; `cron` (five fields, UTC) is required for `schedule`. */
  triggers: Type.Array(Type.Object({ type: TriggerType, cron: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))) }), {
    minItems: 1,
    maxItems: 10,
  }),
});

export const WorkflowRunBody = Type.Object({
  /** Default `manual`. */
  triggerType: Type.Optional(TriggerType),
  triggerPayload: Type.Optional(Nullable(JsonObject)),
});

export const WorkflowTrigger = Type.Object({
  triggerId: Type.String(),
  type: TriggerType,
  /** Five-field cron expression (UTC) of a `schedule` trigger, else null. */
  cron: Nullable(Type.String()),
  /** Next due time of a `schedule` trigger, else null. */
  nextRunAt: Nullable(Timestamp),
  /** True for a `webhook` trigger that has a signing secret. */
  webhookSecretConfigured: Type.Boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const summaryFields = {
  tenantId: Type.String(),
  userId: Type.String(),
  workflowId: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  status: WorkflowStatus,
  profileName: Type.String(),
  triggerTypes: Type.Array(TriggerType),
  lastRunAt: Nullable(Timestamp),
  nextRunAt: Nullable(Timestamp),
  createdAt: Timestamp,
  updatedAt: Timestamp,
};
export const WorkflowSummary = Type.Object(summaryFields);
export const WorkflowDetail = Type.Object({ ...summaryFields, prompt: Type.String(), triggers: Type.Array(WorkflowTrigger) });

export const WorkflowRun = Type.Object({
  runId: Type.String(),
  workflowId: Type.String(),
  tenantId: Type.String(),
  /** The session the run executes in. */
  sessionId: Nullable(Type.String()),
  triggerType: TriggerType,
  triggerPayload: Nullable(JsonObject),
  status: RunStatus,
  error: Nullable(Type.String()),
  createdAt: Timestamp,
  startedAt: Nullable(Timestamp),
  finishedAt: Nullable(Timestamp),
  updatedAt: Timestamp,
});

export const WorkflowWebhookSecretReveal = Type.Object({ workflowId: Type.String(), triggerId: Type.String(), secret: Type.String() });

export const WorkflowListResponse = Type.Object({
  workflows: Type.Array(WorkflowSummary),
  /** Recent runs of the listed workflows: at most 25 per workflow, 100 in all. */
  runs: Type.Array(WorkflowRun),
  nextCursor: Nullable(Type.String()),
  totalEstimate: Type.Integer(),
});
export const WorkflowResponse = Type.Object({ workflow: WorkflowDetail });
export const WorkflowCreateResponse = Type.Object({ workflow: WorkflowDetail, webhookSecretReveal: Nullable(WorkflowWebhookSecretReveal) });
export const WorkflowRotationResponse = Type.Object({ workflow: WorkflowDetail, webhookSecretReveal: WorkflowWebhookSecretReveal });
export const WorkflowRunResponse = Type.Object({
  tenantId: Type.String(),
  sessionId: Type.String(),
  /** The prompt command queued on the run session. */
  command: SessionCommandRecord,
  workflow: WorkflowDetail,
  run: WorkflowRun,
  processed: Type.Integer(),
});
export const SchedulerTickResponse = Type.Object({ ok: Type.Literal(true), runs: Type.Array(WorkflowRun), failed: Type.Integer() });

export const WebhookParams = Type.Object({ id: Id });
export const WebhookHeaders = Type.Object({
  'x-open-cowork-timestamp': Type.Optional(
    Type.String({ description: 'Unix time in seconds (or milliseconds), within 5 minutes of the server clock.' }),
  ),
  'x-open-cowork-signature': Type.Optional(
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the description shows the signed text as a template.
    Type.String({ description: '`sha256=` + hex HMAC-SHA256 of `${timestamp}.${rawBody}` with the webhook secret.' }),
  ),
});
export const WebhookResponse = Type.Object({
  ok: Type.Literal(true),
  workflowId: Type.String(),
  runId: Type.String(),
  sessionId: Nullable(Type.String()),
  processed: Type.Integer(),
  duplicate: Type.Boolean(),
});
