import { Type } from '@sinclair/typebox';
import { Id, Nullable } from './common.js';

const Timestamp = Type.String({ format: 'date-time' });
const JsonObject = Type.Record(Type.String(), Type.Unknown());

const TriggerType = Type.Union([Type.Literal('manual'), Type.Literal('schedule'), Type.Literal('webhook')]);
const WorkflowStatus = Type.Union([Type.Literal('active'), Type.Literal('paused'), Type.Literal('archived')]);
const RunStatus = Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('completed'), Type.Literal('failed')]);

export const WorkflowParams = Type.Object({ id: Id });

export const WorkflowListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
});

export const WorkflowDraftBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
  description: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  prompt: Type.String({ minLength: 1, maxLength: 100_000, pattern: '\\S' }),
  profileName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  triggers: Type.Array(Type.Object({ type: TriggerType, cron: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))) }), {
    minItems: 1,
    maxItems: 10,
  }),
});

export const WorkflowRunBody = Type.Object({
  triggerType: Type.Optional(TriggerType),
  triggerPayload: Type.Optional(Nullable(JsonObject)),
});

export const EmptyBody = Type.Object({});

const Trigger = Type.Object({
  triggerId: Type.String(),
  type: TriggerType,
  cron: Nullable(Type.String()),
  nextRunAt: Nullable(Timestamp),
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
const WorkflowSummary = Type.Object(summaryFields);
const WorkflowDetail = Type.Object({ ...summaryFields, prompt: Type.String(), triggers: Type.Array(Trigger) });

const WorkflowRun = Type.Object({
  runId: Type.String(),
  workflowId: Type.String(),
  tenantId: Type.String(),
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

const SecretReveal = Type.Object({ workflowId: Type.String(), triggerId: Type.String(), secret: Type.String() });

export const WorkflowListResponse = Type.Object({
  workflows: Type.Array(WorkflowSummary),
  runs: Type.Array(WorkflowRun),
  nextCursor: Nullable(Type.String()),
  totalEstimate: Type.Integer(),
});
export const WorkflowResponse = Type.Object({ workflow: WorkflowDetail });
export const WorkflowCreateResponse = Type.Object({ workflow: WorkflowDetail, webhookSecretReveal: Nullable(SecretReveal) });
export const WorkflowRotationResponse = Type.Object({ workflow: WorkflowDetail, webhookSecretReveal: SecretReveal });
/** `command` is the session command record (see the sessions schemas); documented loosely here. */
export const WorkflowRunResponse = Type.Object({
  tenantId: Type.String(),
  sessionId: Type.String(),
  command: Type.Record(Type.String(), Type.Unknown()),
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
