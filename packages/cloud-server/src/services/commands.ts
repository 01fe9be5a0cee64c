import type {
  CloudSessionCommandResponse,
  CloudSessionProjectionView,
  SessionCommandKind,
  SessionCommandRecord,
} from '@open-cowork/shared';
import { httpError } from '../errors.js';
import type { IdempotentKey, IdempotentReply, IdempotentRunner } from '../idempotency.js';
import { newId } from '../ids.js';
import { COMMANDS_CHANNEL, type CommandsStore } from '../store/commands.js';
import { type Db, type Queryable, transact } from '../store/db.js';
import type { LockedSession, SessionsStore } from '../store/sessions.js';
import type { AppendNotice } from './event-bus.js';
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
  /** From `idempotentKeyOf`: the command runs under it, in its own transaction. */
  idempotencyKey?: IdempotentKey | null;
}

const ALLOW_ANSWERS = new Set(['allow', 'once', 'always']);

/** `true`, `'allow'`, `'once'`, `'always'` or `{allowed: true}` allow; anything else denies. */
function permissionAllows(response: unknown): boolean {
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
        throw httpError('sessions.permission_not_found', 'No pending permission request has this id.');
      }
      return [
        {
          type: 'permission.resolved',
          payload: { permissionId, allowed: permissionAllows(payload.response), response: payload.response, commandId },
        },
      ];
    }
    case 'question.reply':
    case 'question.reject': {
      const requestId = String(payload.requestId);
      if (!view?.pendingQuestions.some((question) => question.id === requestId)) {
        throw httpError('sessions.question_not_found', 'No pending question has this request id.');
      }
      const rejected = request.kind === 'question.reject';
      return [{ type: 'question.resolved', payload: { requestId, answers: rejected ? null : payload.answers, rejected, commandId } }];
    }
  }
}

/**
 * Session commands: one transaction records the command, appends and projects its events and
 * stores the sealed response under the `Idempotency-Key` (`app.idempotent`), so a retry after a
 * crash between the commit and the reply replays it and never records the command twice.
 * Nothing here runs a turn. A prompt is queued `pending` and a runtime worker runs it
 * (`services/workers.ts`), so its answer says `processed: 0` with no projection fence. An abort or an answer to a permission or question is
 * complete once its event is recorded (the running turn reads it, on whichever worker runs it):
 * `acked`, `processed: 1`, and a fence at that event.
 */
export function createCommandService(deps: {
  db: Db;
  idempotent: IdempotentRunner;
  sessions: SessionsStore;
  commands: CommandsStore;
  events: EventService;
  observer?: CommandObserver;
}) {
  const { db, idempotent, sessions, commands, events, observer } = deps;

  return {
    /**
     * The command's response; `replayed` when it is the stored one of an earlier request under its
     * key. It runs in its own transaction, or in `tx` when the caller passes its open transaction.
     */
    async execute(caller: CommandCaller, request: CommandRequest, tx?: Queryable): Promise<IdempotentReply<CloudSessionCommandResponse>> {
      const owner = { tenantId: caller.tenantId, userId: caller.userId };
      // Set by the work; `as` keeps TypeScript from narrowing it to null for good.
      let notice = null as AppendNotice | null;

      const result = await transact(db, tx, (tx) =>
        idempotent.run(tx, request.idempotencyKey ?? null, async () => {
          const now = new Date().toISOString();
          const locked: LockedSession | null = await sessions.lock(tx, request.sessionId);
          if (!locked || locked.record.tenantId !== caller.tenantId || locked.record.userId !== caller.userId) {
            throw httpError('sessions.not_found', 'Cloud session was not found.');
          }
          if (locked.record.status === 'closed') throw httpError('sessions.closed', 'The session is closed: it takes no more commands.');
          await observer?.admit(tx, caller, request);
          const commandId = newId('cmd');
          const projection = await sessions.getProjection(tx, request.sessionId);
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
          notice = appended.notice;
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
          return { status: 202, body: response };
        }),
      );

      // A replay was published and queued by the request that ran it.
      if (result.replayed || !notice) return result;
      const q = tx ?? db;
      await events.publish(q, notice);
      if (result.body.command.status === 'pending') await q.notify(COMMANDS_CHANNEL, request.sessionId);
      return result;
    },
  };
}

export type CommandService = ReturnType<typeof createCommandService>;
