import { createHash } from 'node:crypto';
import type { CloudSessionCommandResponse, CloudSessionProjectionView, SessionCommandKind, SessionCommandRecord } from '@open-cowork/shared';
import { canonicalJson } from '../canonical-json.js';
import { httpError } from '../errors.js';
import { newId } from '../ids.js';
import { COMMANDS_CHANNEL, type CommandsStore } from '../store/commands.js';
import type { Db, Queryable } from '../store/db.js';
import type { IdempotencyScope, IdempotencyStore } from '../store/idempotency.js';
import type { LockedSession, SessionsStore } from '../store/sessions.js';
import type { EventDraft, EventService } from './events.js';

export interface CommandCaller {
  tenantId: string;
  userId: string;
  /** The API token the caller used, for the audit log. */
  tokenId?: string | null;
}

/** Hooks run inside a command's transaction (quotas, entitlements, audit, usage; see services/account.ts). */
export interface CommandObserver {
  /** Before anything is written; throwing refuses the command. */
  admit(tx: Queryable, caller: CommandCaller, request: CommandRequest): Promise<void>;
  /** Once the command is recorded, before the transaction commits. */
  recorded(tx: Queryable, caller: CommandCaller, command: SessionCommandRecord): Promise<void>;
}

export interface CommandRequest {
  sessionId: string;
  kind: SessionCommandKind;
  payload: Record<string, unknown>;
  idempotencyKey?: string;
}

const ALLOW_ANSWERS = new Set(['allow', 'once', 'always']);

/** `true`, `'allow'`, `'once'`, `'always'` or `{allowed: true}` allow; anything else denies. */
export function permissionAllows(response: unknown): boolean {
  if (response === true) return true;
  if (typeof response === 'string') return ALLOW_ANSWERS.has(response);
  return typeof response === 'object' && response !== null && (response as { allowed?: unknown }).allowed === true;
}

/** The events a command appends; throws a coded error when the session cannot take it. */
function draftsFor(request: CommandRequest, commandId: string, view: CloudSessionProjectionView | null): EventDraft[] {
  const { payload, sessionId } = request;
  switch (request.kind) {
    case 'prompt':
      return [
        {
          type: 'prompt.submitted',
          eventId: `${sessionId}:command:${commandId}:prompt-submitted`,
          payload: { commandId, messageId: `${commandId}:message`, text: payload.text, agent: payload.agent ?? null },
        },
      ];
    case 'abort':
      return [{ type: 'session.aborted', payload: { commandId } }];
    case 'permission.respond': {
      const permissionId = String(payload.permissionId);
      if (!view?.pendingApprovals.some((approval) => approval.id === permissionId)) {
        throw httpError(404, 'session.permission_not_found', 'No pending permission request has this id.');
      }
      return [{ type: 'permission.resolved', payload: { permissionId, allowed: permissionAllows(payload.response), response: payload.response, commandId } }];
    }
    case 'question.reply':
    case 'question.reject': {
      const requestId = String(payload.requestId);
      if (!view?.pendingQuestions.some((question) => question.id === requestId)) {
        throw httpError(404, 'session.question_not_found', 'No pending question has this request id.');
      }
      const rejected = request.kind === 'question.reject';
      return [{ type: 'question.resolved', payload: { requestId, answers: rejected ? null : payload.answers, rejected, commandId } }];
    }
  }
}

/**
 * Session commands: one transaction records the command, appends and projects its events and
 * stores the response under the `Idempotency-Key`. Nothing here runs a turn. A prompt is queued
 * `pending` and a runtime worker runs it (`services/workers.ts`), so its answer says
 * `processed: 0` with no projection fence. An abort or an answer to a permission or question is
 * complete once its event is recorded (the running turn reads it, on whichever worker runs it):
 * `acked`, `processed: 1`, and a fence at that event.
 */
export function createCommandService(deps: {
  db: Db;
  sessions: SessionsStore;
  commands: CommandsStore;
  idempotency: IdempotencyStore;
  events: EventService;
  observer?: CommandObserver;
}) {
  const { db, sessions, commands, idempotency, events, observer } = deps;

  return {
    async execute(caller: CommandCaller, request: CommandRequest): Promise<CloudSessionCommandResponse> {
      const requestHash = createHash('sha256').update(canonicalJson({ sessionId: request.sessionId, kind: request.kind, payload: request.payload })).digest('hex');
      const owner = { tenantId: caller.tenantId, userId: caller.userId };
      const scope: IdempotencyScope | null = request.idempotencyKey ? { ...owner, key: request.idempotencyKey } : null;

      const outcome = await db.transaction(async (tx) => {
        const now = new Date().toISOString();
        if (scope) {
          const previous = await idempotency.claim(tx, scope, requestHash, now);
          if (previous && previous.requestHash !== requestHash) {
            throw httpError(409, 'idempotency.key_reused', 'This Idempotency-Key was already used for a different request.');
          }
          if (previous) return { response: previous.response as CloudSessionCommandResponse, notice: null };
        }
        const locked: LockedSession | null = await sessions.lock(tx, request.sessionId);
        if (!locked || locked.record.tenantId !== caller.tenantId || locked.record.userId !== caller.userId) {
          throw httpError(404, 'session.not_found', 'Cloud session was not found.');
        }
        if (locked.record.status === 'closed') throw httpError(409, 'session.closed', 'The session is closed: it takes no more commands.');
        await observer?.admit(tx, caller, request);
        const commandId = newId('cmd');
        const projection = await sessions.getProjection(request.sessionId, tx);
        const drafts = draftsFor(request, commandId, projection ? (projection.view as unknown as CloudSessionProjectionView) : null);
        const queued = request.kind === 'prompt';
        const command = await commands.insert(tx, {
          ...owner,
          commandId,
          sessionId: request.sessionId,
          kind: request.kind,
          payload: request.payload,
          status: queued ? 'pending' : 'acked',
          createdSequence: locked.lastSequence,
          createdAt: now,
          ackedAt: queued ? null : now,
        });
        await observer?.recorded(tx, caller, command);
        const appended = await events.appendLocked(tx, locked, drafts);
        const last = appended.events.at(-1)!;
        const response: CloudSessionCommandResponse = {
          command,
          processed: queued ? 0 : 1,
          view: appended.view,
          projectionFence: queued
            ? null
            : {
                version: 1,
                scope: 'session',
                tenantId: caller.tenantId,
                sessionId: request.sessionId,
                commandId,
                sequence: last.sequence,
                projectionVersion: last.sequence,
                issuedAt: now,
              },
        };
        if (scope) await idempotency.complete(tx, scope, 202, response);
        return { response, notice: appended.notice };
      });

      if (!outcome.notice) return outcome.response;
      await events.publish(outcome.notice);
      if (outcome.response.command.status === 'pending') await db.notify(COMMANDS_CHANNEL, request.sessionId);
      return outcome.response;
    },
  };
}

export type CommandService = ReturnType<typeof createCommandService>;
