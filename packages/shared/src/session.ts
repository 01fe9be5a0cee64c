/**
 * Session records, views, commands and list pages. The shapes are defined once, as the schemas of
 * `@open-cowork/shared/schemas` (`schemas/sessions.ts`); these are their types.
 */

import type { Static } from '@sinclair/typebox';
import type * as S from './schemas/sessions.js';

/** Lifecycle statuses of a stored session. */
export const SESSION_STATUSES = ['idle', 'running', 'closed', 'errored'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** Where a session's project files come from. */
export const PROJECT_SOURCE_KINDS = ['git', 'snapshot'] as const;

/** Kinds of commands a session accepts. */
export const SESSION_COMMAND_KINDS = ['prompt', 'abort', 'permission.respond', 'question.reply', 'question.reject'] as const;
export type SessionCommandKind = (typeof SESSION_COMMAND_KINDS)[number];

/** Processing states of a session command. */
export const SESSION_COMMAND_STATUSES = ['pending', 'running', 'acked', 'failed'] as const;
export type SessionCommandStatus = (typeof SESSION_COMMAND_STATUSES)[number];

/** Scopes a projection fence applies to. */
export const PROJECTION_FENCE_SCOPES = ['session', 'workspace', 'workflow-run', 'client'] as const;
export type ProjectionFenceScope = (typeof PROJECTION_FENCE_SCOPES)[number];

/** A git repository to check out for a session. */
export type CloudGitProjectSourceInput = Static<typeof S.GitProjectSourceInput>;
/** A previously uploaded snapshot (see `uploadProjectSnapshot`). */
export type CloudSnapshotProjectSourceInput = Static<typeof S.SnapshotProjectSourceInput>;
/** Where a session's project files come from. */
export type CloudProjectSourceInput = CloudGitProjectSourceInput | CloudSnapshotProjectSourceInput;
/** The project source as shown on a session record: no credentials, no object keys. */
export type CloudProjectSourceSummary = Static<typeof S.ProjectSourceSummary>;
/** A stored session. */
export type SessionRecord = Static<typeof S.SessionRecord>;
/**
 * The stored projection of a session. `view` is whatever the server folded; pass it through
 * `normalizeSessionProjectionView` before reading it.
 */
export type CloudSessionProjection = Static<typeof S.SessionProjection>;
/** A session and its projection, as returned by get/create/import and by every command. */
export type CloudSessionView = Static<typeof S.SessionView>;
/** A queued session command, including the fields the first client's type missed. */
export type SessionCommandRecord = Static<typeof S.SessionCommandRecord>;
/** Proof that the effect of a command has been projected: a view at `sequence` or later already reflects it. */
export type ProjectionFence = Static<typeof S.ProjectionFence>;
/** HTTP 202 body of every session command. */
export type CloudSessionCommandResponse = Static<typeof S.SessionCommandResponse>;
/** One page of `GET /api/sessions`. */
export type SessionListPage = Static<typeof S.SessionListPage>;
/** Query of `listSessionsPage` (`query`, an alias of `q` old clients send, left out). */
export type SessionListQuery = Omit<Static<typeof S.SessionListQuery>, 'query' | 'cursor'> & { cursor?: string | null };
/** Body of `createSession`. */
export type CreateSessionInput = Static<typeof S.CreateSessionBody>;
/** Result of `validateProjectSource`. */
export type ValidateProjectSourceResult = Static<typeof S.ValidateProjectSourceResult>;
/** One file of a project snapshot upload. */
export type ProjectSnapshotFileInput = Static<typeof S.ProjectSnapshotFile>;
/** Body of `uploadProjectSnapshot` (35 MiB cap). */
export type ProjectSnapshotUploadInput = Static<typeof S.ProjectSnapshotBody>;
/** 201 body of `uploadProjectSnapshot`; `projectSource` can be passed to `createSession` as is. */
export type ProjectSnapshotUploadResult = Static<typeof S.ProjectSnapshotUploadResult>;
/** Counts of what a session import carries. */
export type SessionImportItemCounts = Static<typeof S.SessionImportItemCounts>;
/** A file attached to a message. */
export type SessionAttachment = Static<typeof S.SessionAttachment>;
/** Body of `importSession`. */
export type SessionImportRequest = Static<typeof S.SessionImportBody>;

/** Body of `promptSession`. */
export type PromptSessionInput = Static<typeof S.PromptBody>;
/** Body of `replyToQuestion`. */
export type QuestionReplyInput = Static<typeof S.QuestionReplyBody>;
/** Body of `rejectQuestion`. */
export type QuestionRejectInput = Static<typeof S.QuestionRejectBody>;

/**
 * Body of `respondToPermission`; richer than its schema, whose `response` is any JSON (checked in
 * `test/contract.test.ts`). The server allows on `true`, `'allow'`, `'once'`,
 * `'always'` or `{allowed: true}`; anything else denies.
 */
export interface PermissionResponseInput {
  permissionId: string;
  response: boolean | 'allow' | 'once' | 'always' | 'deny' | 'reject' | { allowed: boolean } | (string & {});
}
