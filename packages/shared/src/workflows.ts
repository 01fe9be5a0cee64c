/**
 * Workflows: saved prompts that run as cloud sessions on a manual, scheduled or webhook trigger.
 * Their schemas are in `schemas/workflows.ts`.
 */

import type { Static } from '@sinclair/typebox';
import type * as S from './schemas/workflows.js';

/** How a workflow run was started. */
export const WORKFLOW_TRIGGER_TYPES = ['manual', 'schedule', 'webhook'] as const;
export type WorkflowTriggerType = (typeof WORKFLOW_TRIGGER_TYPES)[number];

/** Lifecycle of a workflow: `pause` and `resume` toggle active/paused; `archive` is final. */
export const WORKFLOW_STATUSES = ['active', 'paused', 'archived'] as const;
export type WorkflowStatus = (typeof WORKFLOW_STATUSES)[number];

/** Lifecycle of one run. */
export const WORKFLOW_RUN_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
export type WorkflowRunStatus = (typeof WORKFLOW_RUN_STATUSES)[number];

/** One trigger of a workflow. Webhook secrets are never part of it (see `WorkflowWebhookSecretReveal`). */
export type WorkflowTrigger = Static<typeof S.WorkflowTrigger>;
/** A workflow as listed. */
export type WorkflowSummary = Static<typeof S.WorkflowSummary>;
/** A workflow with its prompt and triggers. */
export type WorkflowDetail = Static<typeof S.WorkflowDetail>;
/** One run of a workflow: a session that executed its prompt. */
export type WorkflowRun = Static<typeof S.WorkflowRun>;
/** Body of `GET /api/workflows` (keyset cursor on updatedAt, workflowId). */
export type WorkflowListPayload = Static<typeof S.WorkflowListResponse>;
/** Query of `GET /api/workflows`. */
export type WorkflowListQuery = { limit?: number; cursor?: string | null };
/** One trigger of a new workflow. */
export type WorkflowTriggerDraft = WorkflowDraft['triggers'][number];
/** Body of `POST /api/workflows`. */
export type WorkflowDraft = Static<typeof S.WorkflowDraftBody>;
/** Body of `POST /api/workflows/:id/run`. */
export type WorkflowRunInput = Static<typeof S.WorkflowRunBody>;
/** 202 body of `POST /api/workflows/:id/run`. */
export type WorkflowRunResponse = Static<typeof S.WorkflowRunResponse>;
/**
 * A webhook signing secret, shown once: when a webhook workflow is created and when its secret is
 * rotated. Store it; the server keeps only a hash.
 */
export type WorkflowWebhookSecretReveal = Static<typeof S.WorkflowWebhookSecretReveal>;
/** 201 body of `POST /api/workflows`; `webhookSecretReveal` is null without a webhook trigger. */
export type WorkflowCreateResponse = Static<typeof S.WorkflowCreateResponse>;
/** Body of `POST /api/workflows/:id/rotate-webhook-secret`. */
export type WorkflowWebhookSecretRotation = Static<typeof S.WorkflowRotationResponse>;
