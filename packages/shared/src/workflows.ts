/**
 * Workflows: saved prompts that run as cloud sessions on a manual, scheduled or webhook trigger
 *.
 */

import type { SessionCommandRecord } from './session.js';

/** How a workflow run was started. */
export type WorkflowTriggerType = 'manual' | 'schedule' | 'webhook';

export const WORKFLOW_TRIGGER_TYPES: readonly WorkflowTriggerType[] = ['manual', 'schedule', 'webhook'];

/** Lifecycle of a workflow: `pause` and `resume` toggle active/paused; `archive` is final. */
export type WorkflowStatus = 'active' | 'paused' | 'archived';

/** Lifecycle of one run. */
export type WorkflowRunStatus = 'queued' | 'running' | 'completed' | 'failed';

/** One trigger of a workflow. Webhook secrets are never part of it (see `WorkflowWebhookSecretReveal`). */
export interface WorkflowTrigger {
  triggerId: string;
  type: WorkflowTriggerType;
  /** Five-field cron expression (UTC) of a `schedule` trigger, else null. */
  cron: string | null;
  /** Next due time of a `schedule` trigger (ISO 8601), else null. */
  nextRunAt: string | null;
  /** True for a `webhook` trigger that has a signing secret. */
  webhookSecretConfigured: boolean;
  createdAt: string;
  updatedAt: string;
}

/** A workflow as listed. */
export interface WorkflowSummary {
  tenantId: string;
  userId: string;
  workflowId: string;
  name: string;
  description: string | null;
  status: WorkflowStatus;
  profileName: string;
  triggerTypes: WorkflowTriggerType[];
  lastRunAt: string | null;
  nextRunAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A workflow with its prompt and triggers. */
export interface WorkflowDetail extends WorkflowSummary {
  prompt: string;
  triggers: WorkflowTrigger[];
}

/** One run of a workflow: a session that executed its prompt. */
export interface WorkflowRun {
  runId: string;
  workflowId: string;
  tenantId: string;
  /** The session the run executes in. */
  sessionId: string | null;
  triggerType: WorkflowTriggerType;
  triggerPayload: Record<string, unknown> | null;
  status: WorkflowRunStatus;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
}

/** Body of `GET /api/workflows` (keyset cursor on updatedAt, workflowId). */
export interface WorkflowListPayload {
  workflows: WorkflowSummary[];
  /** Recent runs of the listed workflows: at most 25 per workflow, 100 in all. */
  runs: WorkflowRun[];
  nextCursor?: string | null;
  totalEstimate?: number;
}

/** Query of `GET /api/workflows`. */
export interface WorkflowListQuery {
  limit?: number;
  cursor?: string | null;
}

/** One trigger of a new workflow. */
export interface WorkflowTriggerDraft {
  type: WorkflowTriggerType;
  /** Required for `schedule`: five-field cron expression (UTC). */
  cron?: string;
}

/** Body of `POST /api/workflows`. */
export interface WorkflowDraft {
  name: string;
  description?: string;
  /** The prompt every run submits. */
  prompt: string;
  /** Profile the run sessions use; the caller's default when absent. */
  profileName?: string;
  /** At least one. */
  triggers: WorkflowTriggerDraft[];
}

/** Body of `POST /api/workflows/:id/run`. */
export interface WorkflowRunInput {
  /** Default `manual`. */
  triggerType?: WorkflowTriggerType;
  triggerPayload?: Record<string, unknown> | null;
}

/** 202 body of `POST /api/workflows/:id/run`. */
export interface WorkflowRunResponse {
  tenantId: string;
  sessionId: string;
  /** The prompt command queued on the run session. */
  command: SessionCommandRecord;
  workflow: WorkflowDetail;
  run: WorkflowRun;
  processed: number;
}

/**
 * A webhook signing secret, shown once: when a webhook workflow is created and when its secret is
 * rotated. Store it; the server keeps only a hash.
 */
export interface WorkflowWebhookSecretReveal {
  workflowId: string;
  triggerId: string;
  secret: string;
}

/** 201 body of `POST /api/workflows`; `webhookSecretReveal` is null without a webhook trigger. */
export interface WorkflowCreateResponse {
  workflow: WorkflowDetail;
  webhookSecretReveal: WorkflowWebhookSecretReveal | null;
}

/** Body of `POST /api/workflows/:id/rotate-webhook-secret`. */
export interface WorkflowWebhookSecretRotation {
  workflow: WorkflowDetail;
  webhookSecretReveal: WorkflowWebhookSecretReveal;
}
