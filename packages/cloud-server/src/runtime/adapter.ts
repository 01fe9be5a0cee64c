import type { ProjectedSessionEventType } from '@open-cowork/shared';

/**
 * The runtime boundary: what executes a prompt. The server owns sessions, commands, events and
 * projections; a runtime only turns one accepted prompt into session events through its host.
 * The default is the deterministic `scripted` runtime; `opencode` runs OpenCode with a real model.
 */
export interface RuntimeAdapter {
  /** Short name shown by `GET /api/runtime/status`. */
  readonly name: string;
  /** One sentence saying what the runtime really is. */
  readonly description: string;
  /** Runs one turn. Rejecting with the host's abort error is a normal end of an aborted turn. */
  runTurn(turn: RuntimeTurn, host: RuntimeHost): Promise<void>;
  /** Releases what the runtime holds (OpenCode stops its server); called once no turn runs. */
  close?(): Promise<void>;
}

/** The accepted prompt a turn answers. */
export interface RuntimeTurn {
  tenantId: string;
  userId: string;
  sessionId: string;
  commandId: string;
  text: string;
  agent: string | null;
}

export type PermissionDecision = { allowed: boolean };
export type QuestionDecision = { answers: unknown[] | null; rejected: boolean };

/** What the server offers a running turn. Every method rejects once the turn is aborted. */
export interface RuntimeHost {
  /** Appends one session event; refused (rejects) after the turn was aborted. */
  emit(type: ProjectedSessionEventType, payload: Record<string, unknown>): Promise<void>;
  /** Resolves when the user answers `permission.requested` with this id. */
  waitForPermission(permissionId: string): Promise<PermissionDecision>;
  /** Resolves when the user replies to or rejects `question.asked` with this request id. */
  waitForQuestion(requestId: string): Promise<QuestionDecision>;
  /** Waits `ms`, or rejects early on abort. */
  sleep(ms: number): Promise<void>;
  /** Aborted when the user aborts the turn, or when this server stops running it (shutdown, a lost session lease). */
  readonly signal: AbortSignal;
}
