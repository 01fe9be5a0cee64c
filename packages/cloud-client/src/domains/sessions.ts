import type {
  CloudProjectSourceInput,
  CloudSessionCommandResponse,
  CloudSessionView,
  CreateSessionInput,
  PermissionResponseInput,
  ProjectSnapshotUploadInput,
  ProjectSnapshotUploadResult,
  PromptSessionInput,
  QuestionRejectInput,
  QuestionReplyInput,
  SessionImportRequest,
  SessionListPage,
  SessionListQuery,
  SessionRecord,
  SessionStatus,
  ValidateProjectSourceResult,
} from '@open-cowork/shared';
import { commandSender, type CloudClientContext, type CloudCommandOptions } from '../core/context.js';
import { iterateCursorPages } from '../core/paginate.js';
import { apiPath } from '../core/path.js';
import {
  check,
  isObject,
  optionalOneOf,
  optionalPositiveInteger,
  optionalStrings,
  requireArray,
  requireObject,
  requireText,
} from '../core/validate.js';

/** Query of `iterateSessions` and `listSessions`: the filters of every page, and `limit` per page. */
export type SessionIterationQuery = Omit<SessionListQuery, 'cursor'>;

const SESSION_STATUSES: readonly SessionStatus[] = ['idle', 'running', 'closed', 'errored'];
const PROJECT_SOURCE_KINDS = ['git', 'snapshot'];

function requireProjectSource(value: unknown): asserts value is CloudProjectSourceInput {
  const valid = isObject(value) && PROJECT_SOURCE_KINDS.includes(value.kind as string);
  check(valid, "projectSource must be an object whose kind is 'git' or 'snapshot'.");
}

function listQuery(query: SessionListQuery) {
  requireObject(query, 'The session list query');
  const { limit, cursor, status, profileName, q } = query;
  optionalStrings({ cursor, profileName, q });
  optionalPositiveInteger(limit, 'limit');
  optionalOneOf(status, SESSION_STATUSES, 'status');
  return { limit, cursor, status, profileName, q };
}

/** Sessions: list, create, import, read, rename, close, and the five session commands. */
export function createCloudSessionsClient(ctx: CloudClientContext) {
  const send = commandSender(ctx);
  /** Every session command answers 202 with the command, the updated view and a projection fence. */
  const command = (path: string, body: object, options?: CloudCommandOptions) =>
    send<CloudSessionCommandResponse>('POST', path, body, options);

  const listSessionsPage = async (query: SessionListQuery = {}): Promise<SessionListPage> =>
    ctx.request<SessionListPage>('/api/sessions', { query: listQuery(query) });

  /** `iterateSessions` walks the pages lazily; stop early with `break`. */
  const iterateSessions = (query: SessionIterationQuery = {}): AsyncGenerator<SessionRecord, void, undefined> =>
    iterateCursorPages(
      (cursor) => listSessionsPage({ ...query, cursor }),
      (page) => page.sessions,
    );

  return {
    /**
     * `GET /api/sessions?limit&cursor&status&profileName&q`: one page of sessions, most recently
     * updated first. Pass the page's `nextCursor` to get the next; a cursor from other filters is
     * rejected (`http`, code `sessions.cursor.invalid`).
     */
    listSessionsPage,

    /** Every session matching the filters, fetched page by page as the loop pulls (`limit` = page size). */
    iterateSessions,

    /**
     * Every session matching the filters: walks ALL pages (`limit` = page size, server default 100),
     * unlike the first client, which returned the first page only. Use `listSessionsPage` or
     * `iterateSessions` for large workspaces.
     */
    async listSessions(query: SessionIterationQuery = {}): Promise<SessionRecord[]> {
      const sessions: SessionRecord[] = [];
      for await (const session of iterateSessions(query)) sessions.push(session);
      return sessions;
    },

    /** `POST /api/sessions` (201): a new session, optionally bound to a project source. */
    async createSession(input: CreateSessionInput = {}, options?: CloudCommandOptions): Promise<CloudSessionView> {
      requireObject(input, 'The session input');
      if (input.projectSource != null) requireProjectSource(input.projectSource);
      const { profileName, projectSource } = input;
      return send<CloudSessionView>('POST', '/api/sessions', { profileName, projectSource }, options);
    },

    /** `POST /api/project-sources/validate`: whether policy allows the source (`allowed: false` is not an error). */
    async validateProjectSource(
      projectSource: CloudProjectSourceInput,
      options?: CloudCommandOptions,
    ): Promise<ValidateProjectSourceResult> {
      requireProjectSource(projectSource);
      return send<ValidateProjectSourceResult>('POST', '/api/project-sources/validate', { projectSource }, options);
    },

    /**
     * `POST /api/project-sources/snapshots` (201): stores uploaded project files; pass the result's
     * `projectSource` to `createSession`. The body cap is 35 MiB (`http` 413 beyond).
     */
    async uploadProjectSnapshot(input: ProjectSnapshotUploadInput, options?: CloudCommandOptions): Promise<ProjectSnapshotUploadResult> {
      requireObject(input, 'The snapshot input');
      requireArray(input.files, 'files');
      return send<ProjectSnapshotUploadResult>('POST', '/api/project-sources/snapshots', input, options);
    },

    /**
     * `POST /api/import/sessions` (201): a local session copied into the cloud. `server` 503 when
     * artifacts are sent and no object store exists.
     */
    async importSession(request: SessionImportRequest, options?: CloudCommandOptions): Promise<CloudSessionView> {
      requireObject(request, 'The import request');
      return send<CloudSessionView>('POST', '/api/import/sessions', request, options);
    },

    /** `GET /api/sessions/:id`: the session and its projection; `not_found` when missing. */
    async getSession(sessionId: string): Promise<CloudSessionView> {
      return ctx.request<CloudSessionView>(apiPath`/api/sessions/${sessionId}`);
    },

    /**
     * `PATCH /api/sessions/:id` with `{title}`: renames the session; answers its view. A blank title
     * is a `request` error. (The server names an untitled session after its first prompt.)
     */
    async renameSession(sessionId: string, title: string, options?: CloudCommandOptions): Promise<CloudSessionView> {
      requireText(title, 'title');
      return send<CloudSessionView>('PATCH', apiPath`/api/sessions/${sessionId}`, { title }, options);
    },

    /**
     * `POST /api/sessions/:id/close`: closes the session for good (status `closed`); it stays
     * readable and refuses further commands (`http` 409 `sessions.closed`). A running session is
     * refused with 409 `sessions.busy`: abort it first.
     */
    async closeSession(sessionId: string, options?: CloudCommandOptions): Promise<CloudSessionView> {
      return send<CloudSessionView>('POST', apiPath`/api/sessions/${sessionId}/close`, {}, options);
    },

    /** `POST /api/sessions/:id/prompt` (202): submits a prompt. Empty or blank text is a `request` error. */
    async promptSession(sessionId: string, input: PromptSessionInput, options?: CloudCommandOptions): Promise<CloudSessionCommandResponse> {
      const path = apiPath`/api/sessions/${sessionId}/prompt`;
      requireObject(input, 'The prompt input');
      requireText(input.text, 'text');
      if (input.agent !== undefined) requireText(input.agent, 'agent');
      return command(path, { text: input.text, agent: input.agent }, options);
    },

    /** `POST /api/sessions/:id/abort` (202): stops the running turn. */
    async abortSession(sessionId: string, options?: CloudCommandOptions): Promise<CloudSessionCommandResponse> {
      return command(apiPath`/api/sessions/${sessionId}/abort`, {}, options);
    },

    /** `POST /api/sessions/:id/question-reply` (202): answers a pending question. */
    async replyToQuestion(
      sessionId: string,
      input: QuestionReplyInput,
      options?: CloudCommandOptions,
    ): Promise<CloudSessionCommandResponse> {
      const path = apiPath`/api/sessions/${sessionId}/question-reply`;
      requireObject(input, 'The reply input');
      requireText(input.requestId, 'requestId');
      requireArray(input.answers, 'answers');
      return command(path, { requestId: input.requestId, answers: input.answers }, options);
    },

    /** `POST /api/sessions/:id/question-reject` (202): dismisses a pending question. */
    async rejectQuestion(
      sessionId: string,
      input: QuestionRejectInput,
      options?: CloudCommandOptions,
    ): Promise<CloudSessionCommandResponse> {
      const path = apiPath`/api/sessions/${sessionId}/question-reject`;
      requireObject(input, 'The reject input');
      requireText(input.requestId, 'requestId');
      return command(path, { requestId: input.requestId }, options);
    },

    /**
     * `POST /api/sessions/:id/permission-respond` (202): allows or denies a pending permission. The
     * server allows on `true`, `'allow'`, `'once'`, `'always'` or `{allowed: true}`.
     */
    async respondToPermission(
      sessionId: string,
      input: PermissionResponseInput,
      options?: CloudCommandOptions,
    ): Promise<CloudSessionCommandResponse> {
      const path = apiPath`/api/sessions/${sessionId}/permission-respond`;
      requireObject(input, 'The permission input');
      requireText(input.permissionId, 'permissionId');
      check(input.response !== undefined && input.response !== null, 'response is required.');
      return command(path, { permissionId: input.permissionId, response: input.response }, options);
    },
  };
}

/** The sessions domain's methods. */
export type CloudSessionsClient = ReturnType<typeof createCloudSessionsClient>;
