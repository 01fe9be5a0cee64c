import type {
  WorkflowCreateResponse,
  WorkflowDetail,
  WorkflowListPayload,
  WorkflowRun,
  WorkflowRunResponse,
  WorkflowTriggerType,
  WorkflowWebhookSecretReveal,
  WorkflowWebhookSecretRotation,
} from '@open-cowork/shared';
import type { workflows as workflowSchemas } from '@open-cowork/shared/schemas';
import type { Static } from '@sinclair/typebox';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Principal } from '../auth/principal.js';
import { cursorScope, keysetCursor } from '../cursor.js';
import { httpError } from '../errors.js';
import { newId, newSecret } from '../ids.js';
import type { Db } from '../store/db.js';
import type { NewTrigger, WorkflowRecord, WorkflowsStore } from '../store/workflows.js';
import type { AuditActor, AuditEntry, AuditService } from './audit.js';
import type { CommandService } from './commands.js';
import { nextCronRun, parseCron } from './cron.js';
import { callerOf, type SessionService } from './sessions.js';
import { seal, sealingKey, verifyWebhook, WEBHOOK_TOLERANCE_MS } from './workflow-webhooks.js';

declare module 'fastify' {
  interface FastifyInstance {
    workflows: WorkflowService;
  }
}

interface WorkflowCaller {
  tenantId: string;
  userId: string;
}

const DEFAULT_PAGE = 50;
const MAX_PAGE = 200;
const RUNS_PER_WORKFLOW = 25;
const RUNS_PER_PAGE = 100;
const SCHEDULE_BATCH = 50;
/** The audit action of each lifecycle change. */
const PAST = { pause: 'paused', resume: 'resumed', archive: 'archived' } as const;

const scopeHash = (caller: WorkflowCaller) => cursorScope({ tenantId: caller.tenantId, userId: caller.userId });

const cursors = keysetCursor({
  time: 'updatedAt',
  id: 'workflowId',
  invalid: () => httpError('workflows.cursor.invalid', 'The workflows cursor is invalid or belongs to another listing.'),
});

const publicDetail = ({ sealedSecrets: _secrets, ...detail }: WorkflowRecord): WorkflowDetail => detail;

const notFound = () => httpError('workflows.not_found', 'Workflow was not found.');

/** The prompt a run submits: the workflow's, plus the trigger payload when there is one. */
function runPrompt(workflow: WorkflowRecord, payload: Record<string, unknown> | null): string {
  if (!payload || Object.keys(payload).length === 0) return workflow.prompt;
  return `${workflow.prompt}\n\nTrigger payload:\n\`\`\`json\n${JSON.stringify(payload, null, 2)}\n\`\`\``;
}

interface WebhookRequest {
  workflowId: string;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: string;
}

interface WebhookResult {
  ok: true;
  workflowId: string;
  runId: string;
  sessionId: string | null;
  processed: number;
  /** True when this was a replay of an accepted request (same signature): nothing new ran. */
  duplicate: boolean;
}

/** What started a run. */
interface RunTrigger {
  type: WorkflowTriggerType;
  payload: Record<string, unknown> | null;
  /** The webhook request's receipt: a replay of it answers the first run. */
  receipt?: string;
  /** Who the run is audited for, and as what: recorded in the transaction that marks it started. */
  audit?: { actor: AuditActor; entry: (started: { runId: string; sessionId: string }) => AuditEntry };
}

/**
 * Workflows: creation, listing, lifecycle, runs and their triggers. A run is a session of the
 * workflow's owner that receives the workflow's prompt, through the session and command services.
 * What a member or a webhook changes is audited in the transaction of the change; a scheduled run
 * is not audited.
 */
function createWorkflowService(deps: {
  db: Db;
  store: WorkflowsStore;
  sessions: SessionService;
  commands: CommandService;
  audit: AuditService;
  serverSecret: string;
  /** Throws (402) when the org may not create or run workflows; runs before anything is written. */
  admit?: (orgId: string, action: 'create' | 'run') => void;
}) {
  const { db, store, sessions, commands, audit } = deps;
  const key = sealingKey(deps.serverSecret);

  const owned = async (caller: WorkflowCaller, workflowId: string): Promise<WorkflowRecord> => {
    const workflow = await store.get(db, workflowId, caller);
    if (!workflow) throw notFound();
    return workflow;
  };

  /**
   * Starts a run: records it (queued, with the webhook receipt when given), opens its session and
   * submits the prompt, then marks it running. A failure after the record marks the run failed.
   */
  async function startRun(
    workflow: WorkflowRecord,
    trigger: RunTrigger,
  ): Promise<{ run: WorkflowRun; response: WorkflowRunResponse | null }> {
    const { type: triggerType, payload: triggerPayload, receipt } = trigger;
    const owner = { tenantId: workflow.tenantId, userId: workflow.userId };
    deps.admit?.(workflow.tenantId, 'run');
    const runId = newId('run');
    const queuedAt = new Date().toISOString();
    const replayOf = await db.transaction(async (tx) => {
      const current = await store.get(tx, workflow.workflowId, null, true);
      if (!current) throw notFound();
      if (current.status === 'archived') throw httpError('workflows.archived', 'An archived workflow cannot run.');
      if (current.status === 'paused' && triggerType !== 'manual') {
        throw httpError('workflows.paused', 'A paused workflow only runs when started by hand.');
      }
      if (receipt) {
        const previous = await store.claimReceipt(tx, workflow.workflowId, receipt, runId, queuedAt);
        if (previous) return previous;
      }
      await store.insertRun(tx, {
        runId,
        workflowId: workflow.workflowId,
        tenantId: workflow.tenantId,
        triggerType,
        triggerPayload,
        now: queuedAt,
      });
      return null;
    });
    if (replayOf) return { run: (await store.getRun(db, replayOf))!, response: null };

    let sessionId: string | null = null;
    try {
      const view = await sessions.create(owner, { profileName: workflow.profileName });
      sessionId = view.session.sessionId;
      const { body: prompted } = await commands.execute(owner, {
        sessionId,
        kind: 'prompt',
        payload: { text: runPrompt(workflow, triggerPayload) },
      });
      const started = { runId, sessionId };
      await db.transaction(async (tx) => {
        await store.markRunStarted(tx, runId, started.sessionId, prompted.view.projection?.sequence ?? 0, new Date().toISOString());
        if (trigger.audit) await audit.record(tx, trigger.audit.actor, trigger.audit.entry(started));
      });
      const run = (await store.getRun(db, runId))!;
      const detail = publicDetail((await store.get(db, workflow.workflowId, null))!);
      return {
        run,
        response: {
          tenantId: workflow.tenantId,
          sessionId,
          command: prompted.command,
          workflow: detail,
          run,
          processed: prompted.processed,
        },
      };
    } catch (error) {
      await store.markRunFailed(db, runId, sessionId, error instanceof Error ? error.message : String(error), new Date().toISOString());
      throw error;
    }
  }

  const newReveal = (workflowId: string, triggerId: string): { reveal: WorkflowWebhookSecretReveal; sealed: string } => {
    const secret = `whsec_${newSecret()}`;
    return { reveal: { workflowId, triggerId, secret }, sealed: seal(key, secret, triggerId) };
  };

  return {
    /** A null or empty `description` or `cron` is an unset one. */
    async create(principal: Principal, draft: Static<typeof workflowSchemas.WorkflowDraftBody>): Promise<WorkflowCreateResponse> {
      const caller = callerOf(principal);
      deps.admit?.(caller.tenantId, 'create');
      const workflowId = newId('wf');
      const now = new Date();
      let reveal: WorkflowWebhookSecretReveal | null = null;
      const triggers: NewTrigger[] = draft.triggers.map((trigger) => {
        const triggerId = newId('wft');
        if (trigger.type === 'schedule') {
          if (!trigger.cron) throw httpError('workflows.cron_required', 'A schedule trigger needs a cron expression.');
          const next = nextCronRun(parseCron(trigger.cron), now);
          return { triggerId, type: 'schedule', cron: trigger.cron.trim(), nextRunAt: next?.toISOString() ?? null, sealedSecret: null };
        }
        if (trigger.cron) throw httpError('workflows.cron_unexpected', `A ${trigger.type} trigger takes no cron expression.`);
        if (trigger.type === 'webhook') {
          if (reveal) throw httpError('workflows.webhook_duplicate', 'A workflow has at most one webhook trigger.');
          const made = newReveal(workflowId, triggerId);
          reveal = made.reveal;
          return { triggerId, type: 'webhook', cron: null, nextRunAt: null, sealedSecret: made.sealed };
        }
        return { triggerId, type: trigger.type, cron: null, nextRunAt: null, sealedSecret: null };
      });
      const created = await db.transaction(async (tx) => {
        await store.insert(tx, {
          workflowId,
          ...caller,
          name: draft.name.trim(),
          description: draft.description?.trim() || null,
          prompt: draft.prompt,
          profileName: draft.profileName ?? 'default',
          triggers,
          now: now.toISOString(),
        });
        const workflow = (await store.get(tx, workflowId, caller))!;
        await audit.record(tx, principal, {
          action: 'workflow.created',
          targetType: 'workflow',
          targetId: workflowId,
          metadata: { triggerTypes: workflow.triggerTypes },
        });
        return workflow;
      });
      return { workflow: publicDetail(created), webhookSecretReveal: reveal };
    },

    async list(caller: WorkflowCaller, query: { limit?: number | undefined; cursor?: string | undefined }): Promise<WorkflowListPayload> {
      const limit = Math.min(query.limit ?? DEFAULT_PAGE, MAX_PAGE);
      const scope = scopeHash(caller);
      const after = query.cursor ? cursors.decode(query.cursor, scope) : null;
      const { page, nextCursor } = cursors.page(await store.list(db, caller, after, limit + 1), limit, scope);
      const runs = await store.recentRuns(
        db,
        page.map((workflow) => workflow.workflowId),
        RUNS_PER_WORKFLOW,
        RUNS_PER_PAGE,
      );
      return {
        workflows: page.map(({ prompt: _prompt, triggers: _triggers, sealedSecrets: _secrets, ...summary }) => summary),
        runs,
        nextCursor,
        totalEstimate: nextCursor ? limit + 1 : page.length,
      };
    },

    get: async (principal: Principal, workflowId: string): Promise<{ workflow: WorkflowDetail }> => ({
      workflow: publicDetail(await owned(principal, workflowId)),
    }),

    /**
     * pause (active → paused), resume (paused → active), archive (any → archived, final). Asking for
     * the status a workflow already has changes nothing, and is audited all the same.
     */
    async transition(
      principal: Principal,
      workflowId: string,
      action: 'pause' | 'resume' | 'archive',
    ): Promise<{ workflow: WorkflowDetail }> {
      const target = action === 'pause' ? 'paused' : action === 'resume' ? 'active' : 'archived';
      await db.transaction(async (tx) => {
        const workflow = await store.get(tx, workflowId, principal, true);
        if (!workflow) throw notFound();
        if (workflow.status === 'archived' && action !== 'archive') {
          throw httpError('workflows.archived', 'An archived workflow cannot be paused or resumed.');
        }
        if (workflow.status !== target) await store.setStatus(tx, workflowId, target, new Date().toISOString());
        await audit.record(tx, principal, {
          action: `workflow.${PAST[action]}`,
          targetType: 'workflow',
          targetId: workflowId,
          metadata: { status: target },
        });
      });
      return { workflow: publicDetail(await owned(principal, workflowId)) };
    },

    async rotateWebhookSecret(principal: Principal, workflowId: string): Promise<WorkflowWebhookSecretRotation> {
      const reveal = await db.transaction(async (tx) => {
        const workflow = await store.get(tx, workflowId, principal, true);
        if (!workflow) throw notFound();
        const trigger = workflow.triggers.find((candidate) => candidate.type === 'webhook');
        if (!trigger) throw httpError('workflows.webhook_not_configured', 'This workflow has no webhook trigger.');
        if (workflow.status === 'archived') throw httpError('workflows.archived', 'An archived workflow cannot be changed.');
        const made = newReveal(workflowId, trigger.triggerId);
        await store.setSecret(tx, trigger.triggerId, made.sealed, new Date().toISOString());
        // The secret itself never reaches the audit log.
        await audit.record(tx, principal, {
          action: 'workflow.webhook_secret_rotated',
          targetType: 'workflow',
          targetId: workflowId,
          metadata: { triggerId: trigger.triggerId },
        });
        return made.reveal;
      });
      return { workflow: publicDetail(await owned(principal, workflowId)), webhookSecretReveal: reveal };
    },

    /** A member starts a run by hand (or as one of the workflow's trigger types), audited as `workflow.run_started`. */
    async run(
      principal: Principal,
      workflowId: string,
      input: { triggerType?: WorkflowTriggerType | undefined; triggerPayload?: Record<string, unknown> | null | undefined },
    ): Promise<WorkflowRunResponse> {
      const workflow = await owned(principal, workflowId);
      const triggerType = input.triggerType ?? 'manual';
      if (triggerType !== 'manual' && !workflow.triggerTypes.includes(triggerType)) {
        throw httpError('workflows.trigger_not_configured', `This workflow has no ${triggerType} trigger.`);
      }
      const { response } = await startRun(workflow, {
        type: triggerType,
        payload: input.triggerPayload ?? null,
        audit: {
          actor: principal,
          entry: ({ runId, sessionId }) => ({
            action: 'workflow.run_started',
            targetType: 'workflow',
            targetId: workflowId,
            metadata: { runId, sessionId, triggerType },
          }),
        },
      });
      return response!;
    },

    /**
     * The signed webhook trigger. The signature covers `${timestamp}.${rawBody}`; the timestamp
     * must be within 5 minutes; a request replayed with the same signature answers the first run.
     */
    async webhook(request: WebhookRequest): Promise<WebhookResult> {
      const workflow = await store.get(db, request.workflowId, null);
      const trigger = workflow?.triggers.find((candidate) => candidate.type === 'webhook');
      const sealed = trigger ? workflow!.sealedSecrets.get(trigger.triggerId) : undefined;
      // An unknown address fails the same checks as a bad signature, so answers reveal no workflow ids.
      const { payload, receipt } = verifyWebhook(
        key,
        { triggerId: trigger?.triggerId ?? request.workflowId, sealed: sealed ?? '' },
        request,
      );
      if (!workflow || !trigger) throw new Error('A webhook signature verified without a trigger.');
      const { run, response } = await startRun(workflow, {
        type: 'webhook',
        payload,
        receipt,
        audit: {
          // The run acts for the workflow's owner; no token signed it.
          actor: { orgId: workflow.tenantId, userId: workflow.userId, tokenId: null },
          entry: (started) => ({
            action: 'workflow.webhook_run',
            targetType: 'workflow',
            targetId: workflow.workflowId,
            metadata: started,
          }),
        },
      });
      await store.pruneReceipts(db, new Date(Date.now() - 2 * WEBHOOK_TOLERANCE_MS).toISOString());
      return {
        ok: true,
        workflowId: workflow.workflowId,
        runId: run.runId,
        sessionId: run.sessionId,
        processed: response?.processed ?? 0,
        duplicate: response === null,
      };
    },

    /** Runs every due schedule trigger once and moves it to its next time. */
    async tick(now = new Date()): Promise<{ runs: WorkflowRun[]; failed: number }> {
      const due = await db.transaction(async (tx) => {
        const claimed = await store.claimDue(tx, now.toISOString(), SCHEDULE_BATCH);
        for (const trigger of claimed) {
          const next = nextCronRun(parseCron(trigger.cron), now);
          await store.setNextRun(tx, trigger.triggerId, next?.toISOString() ?? null, now.toISOString());
        }
        return claimed;
      });
      const runs: WorkflowRun[] = [];
      let failed = 0;
      for (const trigger of due) {
        const workflow = await store.get(db, trigger.workflowId, null);
        if (!workflow) continue;
        try {
          runs.push((await startRun(workflow, { type: 'schedule', payload: { scheduledFor: trigger.nextRunAt } })).run);
        } catch {
          failed += 1;
        }
      }
      return { runs, failed };
    },
  };
}

type WorkflowService = ReturnType<typeof createWorkflowService>;

async function workflowServicesPlugin(app: FastifyInstance) {
  app.decorate(
    'workflows',
    createWorkflowService({
      db: app.db,
      store: app.stores.workflows,
      sessions: app.sessionService,
      commands: app.commands,
      audit: app.audit,
      serverSecret: app.config.cookieSecret,
      // A run opens a session and submits a prompt: it needs all three entitlements.
      admit: (orgId, action) => {
        app.billing.requireEntitlement({ orgId }, 'workflows');
        if (action === 'run') for (const feature of ['sessions', 'prompts']) app.billing.requireEntitlement({ orgId }, feature);
      },
    }),
  );
}

/** `app.workflows`, shared by the workflow routes and the webhook route. */
export const workflowServices = fp(workflowServicesPlugin, {
  name: 'workflow-services',
  dependencies: ['session-services', 'account-services'],
});
