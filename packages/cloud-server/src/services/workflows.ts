import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type {
  WorkflowCreateResponse,
  WorkflowDetail,
  WorkflowDraft,
  WorkflowListPayload,
  WorkflowRun,
  WorkflowRunResponse,
  WorkflowTriggerType,
  WorkflowWebhookSecretReveal,
  WorkflowWebhookSecretRotation,
} from '@open-cowork/shared';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { httpError, nulRefusal } from '../errors.js';
import { newId, newSecret } from '../ids.js';
import type { Db } from '../store/db.js';
import { createWorkflowsStore, type NewTrigger, type WorkflowListPosition, type WorkflowRecord, type WorkflowsStore } from '../store/workflows.js';
import type { CommandService } from './commands.js';
import type { SessionService } from './sessions.js';

declare module 'fastify' {
  interface FastifyInstance {
    workflows: WorkflowService;
  }
}

export interface WorkflowCaller {
  tenantId: string;
  userId: string;
}

const DEFAULT_PAGE = 50;
const MAX_PAGE = 200;
const RUNS_PER_WORKFLOW = 25;
const RUNS_PER_PAGE = 100;
/** How far a webhook's timestamp may be from the server's clock, either way. */
export const WEBHOOK_TOLERANCE_MS = 5 * 60 * 1000;
const SCHEDULE_BATCH = 50;

// ---------------------------------------------------------------------------------------------
// Cron: five fields (minute hour day-of-month month day-of-week), UTC; `*`, `a`, `a-b`, `*/n`,
// `a-b/n` and comma lists. As in Vixie cron, when both day fields are restricted a day matches
// either of them.

interface CronSchedule {
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  anyDay: boolean;
  anyWeekday: boolean;
}

const CRON_FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;

function parseCronField(text: string, field: (typeof CRON_FIELDS)[number]): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!match) throw new Error(`bad ${field.name} "${part}"`);
    const step = match[4] === undefined ? 1 : Number(match[4]);
    let from: number = field.min;
    let to: number = field.max;
    if (match[1] !== '*') {
      from = Number(match[2]);
      to = match[3] === undefined ? (match[4] === undefined ? from : field.max) : Number(match[3]);
    }
    if (step < 1 || from < field.min || to > field.max || from > to) throw new Error(`${field.name} "${part}" is out of range`);
    for (let value = from; value <= to; value += step) values.add(field.max === 7 && value === 7 ? 0 : value);
  }
  return values;
}

/** Parses a five-field cron expression; throws a 400 naming the problem. */
export function parseCron(expression: string): CronSchedule {
  const parts = expression.trim().split(/\s+/);
  try {
    if (parts.length !== 5) throw new Error(`expected 5 fields, got ${parts.length}`);
    const [minutes, hours, days, months, weekdays] = parts.map((part, index) => parseCronField(part, CRON_FIELDS[index]!));
    return { minutes: minutes!, hours: hours!, days: days!, months: months!, weekdays: weekdays!, anyDay: parts[2] === '*', anyWeekday: parts[4] === '*' };
  } catch (error) {
    throw httpError(400, 'workflows.cron_invalid', `Invalid cron expression "${expression}": ${(error as Error).message}.`);
  }
}

/** The first minute strictly after `from` that the schedule matches (UTC), within about 5 years. */
export function nextCronRun(schedule: CronSchedule, from: Date): Date | null {
  const at = new Date(from.getTime());
  at.setUTCSeconds(0, 0);
  at.setUTCMinutes(at.getUTCMinutes() + 1);
  const limit = from.getTime() + 5 * 366 * 24 * 60 * 60 * 1000;
  const dayMatches = () => {
    const inMonth = schedule.days.has(at.getUTCDate());
    const inWeek = schedule.weekdays.has(at.getUTCDay());
    if (schedule.anyDay || schedule.anyWeekday) return (schedule.anyDay || inMonth) && (schedule.anyWeekday || inWeek);
    return inMonth || inWeek;
  };
  while (at.getTime() <= limit) {
    if (!schedule.months.has(at.getUTCMonth() + 1)) {
      at.setUTCMonth(at.getUTCMonth() + 1, 1);
      at.setUTCHours(0, 0, 0, 0);
    } else if (!dayMatches()) {
      at.setUTCDate(at.getUTCDate() + 1);
      at.setUTCHours(0, 0, 0, 0);
    } else if (!schedule.hours.has(at.getUTCHours())) {
      at.setUTCHours(at.getUTCHours() + 1, 0, 0, 0);
    } else if (!schedule.minutes.has(at.getUTCMinutes())) {
      at.setUTCMinutes(at.getUTCMinutes() + 1, 0, 0);
    } else {
      return at;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Webhook secrets are sealed with AES-256-GCM under a key derived from the server secret; the
// signature check needs the secret itself, so a one-way hash would not do.

function sealingKey(serverSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', serverSecret, 'open-cowork-cloud', 'workflow-webhook-secret/v1', 32));
}

function seal(key: Buffer, secret: string, triggerId: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(triggerId));
  const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), sealed.toString('base64url')].join('.');
}

function unseal(key: Buffer, sealed: string, triggerId: string): string | null {
  const [version, iv, tag, data] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || !data) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(triggerId));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    // Sealed under another server secret: the secret has to be rotated.
    return null;
  }
}

/** `sha256=<hex>` or bare hex of HMAC-SHA256(secret, `${timestamp}.${rawBody}`). */
export function signWebhook(secret: string, timestamp: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

function signatureMatches(secret: string, timestamp: string, rawBody: string, presented: string): boolean {
  const expected = Buffer.from(signWebhook(secret, timestamp, rawBody).slice('sha256='.length), 'hex');
  const hex = presented.trim().replace(/^sha256=/i, '');
  if (!/^[0-9a-f]{64}$/i.test(hex)) return false;
  return timingSafeEqual(expected, Buffer.from(hex, 'hex'));
}

/** Seconds or milliseconds since the epoch. */
function timestampMs(value: string): number | null {
  if (!/^\d{1,16}$/.test(value)) return null;
  const number = Number(value);
  return number < 1e12 ? number * 1000 : number;
}

// ---------------------------------------------------------------------------------------------

function scopeHash(caller: WorkflowCaller): string {
  return createHash('sha256').update(JSON.stringify({ tenantId: caller.tenantId, userId: caller.userId })).digest('base64url');
}

function encodeCursor(position: WorkflowListPosition, scope: string): string {
  return Buffer.from(JSON.stringify({ v: 1, ...position, scopeHash: scope })).toString('base64url');
}

function decodeCursor(cursor: string, scope: string): WorkflowListPosition {
  const invalid = () => httpError(400, 'workflows.cursor.invalid', 'The workflows cursor is invalid or belongs to another listing.');
  let value: Partial<{ v: number; updatedAt: string; workflowId: string; scopeHash: string }>;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as typeof value;
  } catch {
    throw invalid();
  }
  if (value?.v !== 1 || value.scopeHash !== scope || typeof value.workflowId !== 'string' || Number.isNaN(Date.parse(value.updatedAt ?? ''))) {
    throw invalid();
  }
  return { updatedAt: value.updatedAt!, workflowId: value.workflowId };
}

const publicDetail = ({ sealedSecrets: _secrets, ...detail }: WorkflowRecord): WorkflowDetail => detail;

const notFound = () => httpError(404, 'workflows.not_found', 'Workflow was not found.');

/** The prompt a run submits: the workflow's, plus the trigger payload when there is one. */
function runPrompt(workflow: WorkflowRecord, payload: Record<string, unknown> | null): string {
  if (!payload || Object.keys(payload).length === 0) return workflow.prompt;
  return `${workflow.prompt}\n\nTrigger payload:\n\`\`\`json\n${JSON.stringify(payload, null, 2)}\n\`\`\``;
}

export interface WebhookRequest {
  workflowId: string;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: string;
}

export interface WebhookResult {
  ok: true;
  workflowId: string;
  runId: string;
  sessionId: string | null;
  processed: number;
  /** True when this was a replay of an accepted request (same signature): nothing new ran. */
  duplicate: boolean;
  /** The owner the run acted for (for the audit log). */
  owner: WorkflowCaller;
}

/**
 * Workflows: creation, listing, lifecycle, runs and their triggers. A run is a session of the
 * workflow's owner that receives the workflow's prompt, through the session and command services.
 */
export function createWorkflowService(deps: {
  db: Db;
  store: WorkflowsStore;
  sessions: SessionService;
  commands: CommandService;
  serverSecret: string;
  /** Throws (402) when the org may not create or run workflows; runs before anything is written. */
  admit?: (orgId: string, action: 'create' | 'run') => void;
}) {
  const { db, store, sessions, commands } = deps;
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
    triggerType: WorkflowTriggerType,
    triggerPayload: Record<string, unknown> | null,
    receipt?: string,
  ): Promise<{ run: WorkflowRun; response: WorkflowRunResponse | null }> {
    const owner = { tenantId: workflow.tenantId, userId: workflow.userId };
    deps.admit?.(workflow.tenantId, 'run');
    const runId = newId('run');
    const queuedAt = new Date().toISOString();
    const replayOf = await db.transaction(async (tx) => {
      const current = await store.get(tx, workflow.workflowId, null, true);
      if (!current) throw notFound();
      if (current.status === 'archived') throw httpError(409, 'workflows.archived', 'An archived workflow cannot run.');
      if (current.status === 'paused' && triggerType !== 'manual') {
        throw httpError(409, 'workflows.paused', 'A paused workflow only runs when started by hand.');
      }
      if (receipt) {
        const previous = await store.claimReceipt(tx, workflow.workflowId, receipt, runId, queuedAt);
        if (previous) return previous;
      }
      await store.insertRun(tx, { runId, workflowId: workflow.workflowId, tenantId: workflow.tenantId, triggerType, triggerPayload, now: queuedAt });
      return null;
    });
    if (replayOf) return { run: (await store.getRun(db, replayOf))!, response: null };

    let sessionId: string | null = null;
    try {
      const view = await sessions.create(owner, { profileName: workflow.profileName });
      sessionId = view.session.sessionId;
      const prompted = await commands.execute(owner, { sessionId, kind: 'prompt', payload: { text: runPrompt(workflow, triggerPayload) } });
      await store.markRunStarted(runId, sessionId, prompted.projectionFence?.sequence ?? 0, new Date().toISOString());
      const run = (await store.getRun(db, runId))!;
      const detail = publicDetail((await store.get(db, workflow.workflowId, null))!);
      return { run, response: { tenantId: workflow.tenantId, sessionId, command: prompted.command, workflow: detail, run, processed: prompted.processed } };
    } catch (error) {
      await store.markRunFailed(runId, sessionId, error instanceof Error ? error.message : String(error), new Date().toISOString());
      throw error;
    }
  }

  const newReveal = (workflowId: string, triggerId: string): { reveal: WorkflowWebhookSecretReveal; sealed: string } => {
    const secret = `whsec_${newSecret()}`;
    return { reveal: { workflowId, triggerId, secret }, sealed: seal(key, secret, triggerId) };
  };

  return {
    async create(caller: WorkflowCaller, draft: Required<Pick<WorkflowDraft, 'name' | 'prompt' | 'triggers'>> & WorkflowDraft): Promise<WorkflowCreateResponse> {
      deps.admit?.(caller.tenantId, 'create');
      const workflowId = newId('wf');
      const now = new Date();
      let reveal: WorkflowWebhookSecretReveal | null = null;
      const triggers: NewTrigger[] = draft.triggers.map((trigger) => {
        const triggerId = newId('wft');
        if (trigger.type === 'schedule') {
          if (!trigger.cron) throw httpError(400, 'workflows.cron_required', 'A schedule trigger needs a cron expression.');
          const next = nextCronRun(parseCron(trigger.cron), now);
          return { triggerId, type: 'schedule', cron: trigger.cron.trim(), nextRunAt: next?.toISOString() ?? null, sealedSecret: null };
        }
        if (trigger.cron) throw httpError(400, 'workflows.cron_unexpected', `A ${trigger.type} trigger takes no cron expression.`);
        if (trigger.type === 'webhook') {
          if (reveal) throw httpError(400, 'workflows.webhook_duplicate', 'A workflow has at most one webhook trigger.');
          const made = newReveal(workflowId, triggerId);
          reveal = made.reveal;
          return { triggerId, type: 'webhook', cron: null, nextRunAt: null, sealedSecret: made.sealed };
        }
        return { triggerId, type: trigger.type, cron: null, nextRunAt: null, sealedSecret: null };
      });
      await db.transaction((tx) =>
        store.insert(tx, {
          workflowId,
          ...caller,
          name: draft.name.trim(),
          description: draft.description?.trim() || null,
          prompt: draft.prompt,
          profileName: draft.profileName ?? 'default',
          triggers,
          now: now.toISOString(),
        }),
      );
      return { workflow: publicDetail((await store.get(db, workflowId, caller))!), webhookSecretReveal: reveal };
    },

    async list(caller: WorkflowCaller, query: { limit?: number | undefined; cursor?: string | undefined }): Promise<WorkflowListPayload> {
      const limit = Math.min(query.limit ?? DEFAULT_PAGE, MAX_PAGE);
      const scope = scopeHash(caller);
      const after = query.cursor ? decodeCursor(query.cursor, scope) : null;
      const rows = await store.list(caller, after, limit + 1);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      const more = rows.length > limit && last !== undefined;
      const runs = await store.recentRuns(page.map((workflow) => workflow.workflowId), RUNS_PER_WORKFLOW, RUNS_PER_PAGE);
      return {
        workflows: page.map(({ prompt: _prompt, triggers: _triggers, sealedSecrets: _secrets, ...summary }) => summary),
        runs,
        nextCursor: more ? encodeCursor({ updatedAt: last.updatedAt, workflowId: last.workflowId }, scope) : null,
        totalEstimate: more ? limit + 1 : page.length,
      };
    },

    async get(caller: WorkflowCaller, workflowId: string): Promise<WorkflowDetail> {
      return publicDetail(await owned(caller, workflowId));
    },

    /** pause (active → paused), resume (paused → active), archive (any → archived, final). */
    async transition(caller: WorkflowCaller, workflowId: string, action: 'pause' | 'resume' | 'archive'): Promise<WorkflowDetail> {
      await db.transaction(async (tx) => {
        const workflow = await store.get(tx, workflowId, caller, true);
        if (!workflow) throw notFound();
        if (workflow.status === 'archived') {
          if (action === 'archive') return;
          throw httpError(409, 'workflows.archived', 'An archived workflow cannot be paused or resumed.');
        }
        const target = action === 'pause' ? 'paused' : action === 'resume' ? 'active' : 'archived';
        if (workflow.status !== target) await store.setStatus(tx, workflowId, target, new Date().toISOString());
      });
      return publicDetail(await owned(caller, workflowId));
    },

    async rotateWebhookSecret(caller: WorkflowCaller, workflowId: string): Promise<WorkflowWebhookSecretRotation> {
      const reveal = await db.transaction(async (tx) => {
        const workflow = await store.get(tx, workflowId, caller, true);
        if (!workflow) throw notFound();
        const trigger = workflow.triggers.find((candidate) => candidate.type === 'webhook');
        if (!trigger) throw httpError(404, 'workflows.webhook_not_configured', 'This workflow has no webhook trigger.');
        if (workflow.status === 'archived') throw httpError(409, 'workflows.archived', 'An archived workflow cannot be changed.');
        const made = newReveal(workflowId, trigger.triggerId);
        await store.setSecret(tx, trigger.triggerId, made.sealed, new Date().toISOString());
        return made.reveal;
      });
      return { workflow: publicDetail(await owned(caller, workflowId)), webhookSecretReveal: reveal };
    },

    async run(caller: WorkflowCaller, workflowId: string, input: { triggerType?: WorkflowTriggerType | undefined; triggerPayload?: Record<string, unknown> | null | undefined }): Promise<WorkflowRunResponse> {
      const workflow = await owned(caller, workflowId);
      const triggerType = input.triggerType ?? 'manual';
      if (triggerType !== 'manual' && !workflow.triggerTypes.includes(triggerType)) {
        throw httpError(409, 'workflows.trigger_not_configured', `This workflow has no ${triggerType} trigger.`);
      }
      const { response } = await startRun(workflow, triggerType, input.triggerPayload ?? null);
      return response!;
    },

    /**
     * The signed webhook trigger. The signature covers `${timestamp}.${rawBody}`; the timestamp
     * must be within 5 minutes; a request replayed with the same signature answers the first run.
     */
    async webhook(request: WebhookRequest): Promise<WebhookResult> {
      const unauthorized = (code: string, message: string) => httpError(401, code, message);
      const workflow = await store.get(db, request.workflowId, null);
      const trigger = workflow?.triggers.find((candidate) => candidate.type === 'webhook');
      const sealed = trigger ? workflow!.sealedSecrets.get(trigger.triggerId) : undefined;
      if (!workflow || !trigger || !sealed) throw httpError(404, 'workflows.webhook_not_found', 'No workflow webhook at this address.');
      const at = request.timestamp ? timestampMs(request.timestamp) : null;
      if (at === null || Math.abs(Date.now() - at) > WEBHOOK_TOLERANCE_MS) {
        throw unauthorized('workflows.webhook_timestamp_invalid', 'x-open-cowork-timestamp is missing or more than 5 minutes off.');
      }
      const secret = unseal(key, sealed, trigger.triggerId);
      if (!secret || !request.signature || !signatureMatches(secret, request.timestamp!, request.rawBody, request.signature)) {
        throw unauthorized('workflows.webhook_signature_invalid', 'x-open-cowork-signature does not match the request.');
      }
      let payload: Record<string, unknown> | null = null;
      if (request.rawBody.trim() !== '') {
        let parsed: unknown;
        try {
          parsed = JSON.parse(request.rawBody);
        } catch {
          throw httpError(400, 'request.invalid_json', 'Request body must be valid JSON.');
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
          throw httpError(400, 'workflows.webhook_payload_invalid', 'A webhook body must be a JSON object.');
        }
        const refused = nulRefusal(request.rawBody, parsed);
        if (refused) throw refused;
        payload = parsed as Record<string, unknown>;
      }
      const signature = request.signature.trim().replace(/^sha256=/i, '').toLowerCase();
      const { run, response } = await startRun(workflow, 'webhook', payload, signature);
      await store.pruneReceipts(new Date(Date.now() - 2 * WEBHOOK_TOLERANCE_MS).toISOString());
      return {
        ok: true,
        workflowId: workflow.workflowId,
        runId: run.runId,
        sessionId: run.sessionId,
        processed: response?.processed ?? 0,
        duplicate: response === null,
        owner: { tenantId: workflow.tenantId, userId: workflow.userId },
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
          runs.push((await startRun(workflow, 'schedule', { scheduledFor: trigger.nextRunAt })).run);
        } catch {
          failed += 1;
        }
      }
      return { runs, failed };
    },
  };
}

export type WorkflowService = ReturnType<typeof createWorkflowService>;

async function workflowServicesPlugin(app: FastifyInstance) {
  app.decorate(
    'workflows',
    createWorkflowService({
      db: app.db,
      store: createWorkflowsStore(app.db),
      sessions: app.sessionService,
      commands: app.commands,
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
export const workflowServices = fp(workflowServicesPlugin, { name: 'workflow-services', dependencies: ['session-services', 'account-services'] });
