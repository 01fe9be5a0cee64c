import type {
  CloudErrorCode,
  CloudProjectSourceInput,
  CloudProjectSourceSummary,
  CloudSessionProjectionView,
  CloudSessionView,
  ProjectSnapshotUploadInput,
  ProjectSnapshotUploadResult,
  SessionImportRequest,
  SessionListPage,
  SessionListQuery,
  SessionRecord,
  SessionStatus,
} from '@open-cowork/shared';
import { cursorScope, keysetCursor } from '../cursor.js';
import { httpError } from '../errors.js';
import { newId } from '../ids.js';
import { type Db, type Queryable, transact } from '../store/db.js';
import type { StoredSessionEvent } from '../store/events.js';
import type { SessionsStore, SnapshotsStore } from '../store/sessions.js';
import type { EventDraft, EventService } from './events.js';

export interface SessionCaller {
  tenantId: string;
  userId: string;
}

export const DEFAULT_PROFILE = 'default';
const DEFAULT_PAGE = 100;
const MAX_PAGE = 500;

/** A cursor is only valid for the listing it came from: same caller, same filters. */
function scopeHash(caller: SessionCaller, query: SessionListQuery): string {
  return cursorScope({
    tenantId: caller.tenantId,
    userId: caller.userId,
    status: query.status ?? null,
    profileName: query.profileName ?? null,
    query: query.q?.trim().toLowerCase() ?? '',
  });
}

const cursors = keysetCursor({
  time: 'updatedAt',
  id: 'sessionId',
  invalid: () => httpError('sessions.cursor.invalid', 'The sessions cursor is invalid or belongs to another listing.'),
});

/** What a session record shows of its project source: never credentials or object keys. */
function summarise(source: CloudProjectSourceInput): CloudProjectSourceSummary {
  if (source.kind === 'git') {
    const { repositoryUrl, ref, subdirectory } = source;
    return { kind: 'git', repositoryUrl, ...(ref ? { ref } : {}), ...(subdirectory ? { subdirectory } : {}) };
  }
  return { kind: 'snapshot', snapshotId: source.snapshotId, ...(source.title ? { title: source.title } : {}) };
}

/** Cloud sessions never read the caller's machine: only remote repositories are allowed. */
const REMOTE_REPOSITORY = /^(https:\/\/|ssh:\/\/|git@)[^\s]+$/;

const TITLE_LENGTH = 80;

/** The first non-blank line of a prompt, its spaces collapsed, cut at 80 characters. */
export function titleFromPrompt(text: string): string | null {
  const line = text
    .split('\n')
    .map((candidate) => candidate.replace(/\s+/g, ' ').trim())
    .find(Boolean);
  if (!line) return null;
  const characters = Array.from(line);
  return characters.length <= TITLE_LENGTH
    ? line
    : `${characters
        .slice(0, TITLE_LENGTH - 1)
        .join('')
        .trimEnd()}…`;
}

/**
 * A session without a title is named after its first prompt, by the server, so that every client
 * lists the same name. Called by the event append with the view it has folded.
 */
export function nameAfterFirstPrompt(
  view: CloudSessionProjectionView,
  appended: readonly StoredSessionEvent[],
): CloudSessionProjectionView {
  if (view.title) return view;
  for (const event of appended) {
    const title = event.type === 'prompt.submitted' && typeof event.payload.text === 'string' ? titleFromPrompt(event.payload.text) : null;
    if (title) return { ...view, title };
  }
  return view;
}

/** A `ValidateProjectSourceResult` whose refusal carries the code that `create` answers 403 with. */
type ProjectSourceVerdict = { allowed: true; reason: null } | { allowed: false; reason: string; policyCode: CloudErrorCode };

/**
 * Creating, importing and listing sessions, and their project sources. Creation and import
 * append their first events in the transaction that inserts the session.
 */
export function createSessionService(deps: { db: Db; sessions: SessionsStore; snapshots: SnapshotsStore; events: EventService }) {
  const { db, sessions, snapshots, events } = deps;

  async function validateProjectSource(caller: SessionCaller, source: CloudProjectSourceInput): Promise<ProjectSourceVerdict> {
    if (source.kind === 'git') {
      if (REMOTE_REPOSITORY.test(source.repositoryUrl) && !source.subdirectory?.split('/').includes('..'))
        return { allowed: true, reason: null };
      return {
        allowed: false,
        reason: 'Only remote https or ssh git repositories can be used by cloud sessions.',
        policyCode: 'project_source.repository_not_allowed',
      };
    }
    if (await snapshots.exists(db, caller.tenantId, source.snapshotId, source.objectKey)) return { allowed: true, reason: null };
    return { allowed: false, reason: 'The project snapshot was not found.', policyCode: 'project_source.snapshot_not_found' };
  }

  /** Inserts a session and appends its first events; returns its view. */
  async function open(
    caller: SessionCaller,
    fields: { profileName?: string | undefined; title: string | null; projectSource: CloudProjectSourceSummary | null },
    drafts: EventDraft[],
    tx?: Queryable,
  ): Promise<CloudSessionView> {
    const now = new Date().toISOString();
    const record: SessionRecord = {
      ...caller,
      sessionId: newId('ses'),
      opencodeSessionId: null,
      profileName: fields.profileName ?? DEFAULT_PROFILE,
      status: 'idle',
      title: fields.title,
      projectSource: fields.projectSource,
      createdAt: now,
      updatedAt: now,
    };
    const result = await transact(db, tx, async (tx) => {
      await sessions.insert(tx, record);
      const locked = await sessions.lock(tx, record.sessionId);
      return events.appendLocked(tx, locked!, drafts);
    });
    await events.publish(tx ?? db, result.notice);
    return result.view;
  }

  /** Changes the caller's session under its row lock; `check` may refuse with a coded error. */
  async function update(
    caller: SessionCaller,
    sessionId: string,
    fields: { title?: string; status?: SessionStatus },
    check?: (view: CloudSessionView) => void,
  ): Promise<CloudSessionView> {
    return db.transaction(async (tx) => {
      const locked = await sessions.lock(tx, sessionId);
      if (!locked || locked.record.tenantId !== caller.tenantId || locked.record.userId !== caller.userId) {
        throw httpError('sessions.not_found', 'Cloud session was not found.');
      }
      check?.((await sessions.view(tx, caller.tenantId, caller.userId, sessionId))!);
      await sessions.setFields(tx, sessionId, { ...fields, updatedAt: new Date().toISOString() });
      return (await sessions.view(tx, caller.tenantId, caller.userId, sessionId))!;
    });
  }

  return {
    validateProjectSource,

    /** Renames the caller's session: the record and its projection view carry the new title. */
    rename: (caller: SessionCaller, sessionId: string, title: string) => update(caller, sessionId, { title: title.trim() }),

    /**
     * Closes the caller's session for good: it stays listed and readable, and refuses commands
     * (`sessions.closed`). A running turn must be aborted first (`sessions.busy`), so that no runtime
     * appends to a closed session.
     */
    close: (caller: SessionCaller, sessionId: string) =>
      update(caller, sessionId, { status: 'closed' }, ({ session, projection }) => {
        const view = projection?.view as Partial<CloudSessionProjectionView> | undefined;
        if (session.status === 'running' || view?.isGenerating) {
          throw httpError('sessions.busy', 'The session is running a turn: abort it before closing the session.');
        }
      }),

    /** Opens a session, in its own transaction or in the caller's `tx`. */
    async create(
      caller: SessionCaller,
      input: { profileName?: string; projectSource?: CloudProjectSourceInput | null },
      tx?: Queryable,
    ): Promise<CloudSessionView> {
      const source = input.projectSource ?? null;
      if (source) {
        const verdict = await validateProjectSource(caller, source);
        if (!verdict.allowed) throw httpError(verdict.policyCode, verdict.reason);
      }
      const summary = source ? summarise(source) : null;
      const drafts: EventDraft[] = [
        { type: 'session.created', payload: { title: null, profileName: input.profileName ?? DEFAULT_PROFILE } },
      ];
      if (summary) drafts.push({ type: 'session.project_source.bound', payload: { projectSource: summary } });
      return open(caller, { profileName: input.profileName, title: null, projectSource: summary }, drafts, tx);
    },

    async import(caller: SessionCaller, request: SessionImportRequest): Promise<CloudSessionView> {
      if (request.artifacts && request.artifacts.length > 0) {
        throw httpError(
          'storage.object_store_unconfigured',
          'This server has no object store for imported artifacts; import without artifacts.',
        );
      }
      const importedAt = new Date().toISOString();
      const drafts: EventDraft[] = [
        { type: 'session.created', payload: { title: request.title } },
        {
          type: 'session.imported',
          payload: { sourceFingerprint: request.source.fingerprint, importedAt, itemCounts: request.itemCounts },
        },
      ];
      const messages = [...(request.messages ?? [])].sort((a, b) => a.order - b.order);
      for (const message of messages) {
        drafts.push(
          message.role === 'user'
            ? {
                type: 'prompt.submitted',
                payload: {
                  messageId: message.id,
                  text: message.content,
                  ...(message.attachments ? { attachments: message.attachments } : {}),
                },
              }
            : {
                type: 'assistant.message',
                payload: {
                  messageId: message.id,
                  content: message.content,
                  ...(message.attachments ? { attachments: message.attachments } : {}),
                },
              },
        );
      }
      if (request.todos) drafts.push({ type: 'todos.updated', payload: { todos: request.todos } });
      if (request.sessionCost !== undefined || request.sessionTokens) {
        drafts.push({ type: 'cost.updated', payload: { cost: request.sessionCost ?? 0, tokens: request.sessionTokens ?? {} } });
      }
      return open(caller, { profileName: request.profileName, title: request.title, projectSource: null }, drafts);
    },

    async uploadSnapshot(caller: SessionCaller, input: ProjectSnapshotUploadInput): Promise<ProjectSnapshotUploadResult> {
      let byteCount = 0;
      for (const file of input.files) {
        if (file.path.startsWith('/') || file.path.split(/[\\/]/).includes('..')) {
          throw httpError(
            'project_source.snapshot_path_invalid',
            `Snapshot paths must be relative and stay inside the project: ${file.path}`,
          );
        }
        byteCount += Buffer.from(file.dataBase64, 'base64').byteLength;
      }
      const snapshotId = newId('snap');
      const objectKey = `snapshots/${caller.tenantId}/${snapshotId}`;
      const createdAt = new Date().toISOString();
      const title = input.title ?? null;
      await snapshots.insert(db, {
        ...caller,
        snapshotId,
        objectKey,
        title,
        fileCount: input.files.length,
        byteCount,
        files: input.files.map(({ path, dataBase64, mode }) => ({ path, dataBase64, ...(mode === undefined ? {} : { mode }) })),
        manifest: { excluded: input.excluded ?? [], warnings: input.warnings ?? [] },
        createdAt,
      });
      const projectSource = {
        kind: 'snapshot' as const,
        snapshotId,
        objectKey,
        fileCount: input.files.length,
        byteCount,
        ...(title ? { title } : {}),
      };
      return { snapshotId, objectKey, fileCount: input.files.length, byteCount, createdAt, projectSource };
    },

    async list(caller: SessionCaller, query: SessionListQuery): Promise<SessionListPage> {
      const limit = Math.min(query.limit ?? DEFAULT_PAGE, MAX_PAGE);
      const scope = scopeHash(caller, query);
      const after = query.cursor ? cursors.decode(query.cursor, scope) : null;
      const search = query.q?.trim().toLowerCase();
      const rows = await sessions.list(
        db,
        {
          ...caller,
          ...(query.status ? { status: query.status } : {}),
          ...(query.profileName ? { profileName: query.profileName } : {}),
          ...(search ? { query: search } : {}),
        },
        after,
        limit + 1,
      );
      const { page, nextCursor } = cursors.page(rows, limit, scope);
      return { sessions: page, nextCursor, totalEstimate: nextCursor ? limit + 1 : page.length };
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
