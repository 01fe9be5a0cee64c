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
import { normalizeSessionProjectionView } from '@open-cowork/shared';
import type { Principal } from '../auth/principal.js';
import { cursorScope, keysetCursor } from '../cursor.js';
import { httpError } from '../errors.js';
import { newId } from '../ids.js';
import { type Db, type Queryable, transact } from '../store/db.js';
import type { StoredSessionEvent } from '../store/events.js';
import type { LockedSession, SessionsStore, SnapshotsStore } from '../store/sessions.js';
import type { AuditEntry, AuditService } from './audit.js';
import type { EventDraft, EventService } from './events.js';

/** Whose sessions: what the stores filter by and the cursors hash. */
export interface SessionCaller {
  tenantId: string;
  userId: string;
}

/** The caller fields of a principal (or of any caller), without the rest of it. */
export const callerOf = ({ tenantId, userId }: SessionCaller): SessionCaller => ({ tenantId, userId });

export const sessionNotFound = () => httpError('sessions.not_found', 'Cloud session was not found.');

/** Locks the caller's session row in `tx`; another user's session is as unknown as a missing one. */
export async function lockOwnedSession(
  sessions: SessionsStore,
  tx: Queryable,
  caller: SessionCaller,
  sessionId: string,
): Promise<LockedSession> {
  const locked = await sessions.lock(tx, sessionId);
  if (!locked || locked.record.tenantId !== caller.tenantId || locked.record.userId !== caller.userId) throw sessionNotFound();
  return locked;
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
 * Creating, importing, listing and changing sessions, and their project sources. Creation and
 * import append their first events in the transaction that inserts the session; what a member does
 * is audited in the transaction of the change.
 */
export function createSessionService(deps: {
  db: Db;
  sessions: SessionsStore;
  snapshots: SnapshotsStore;
  events: EventService;
  audit: AuditService;
}) {
  const { db, sessions, snapshots, events, audit } = deps;

  /** Whether a session may use `source`; a snapshot must be one of the caller's tenant, looked up through `q`. */
  async function checkProjectSource(q: Queryable, caller: SessionCaller, source: CloudProjectSourceInput): Promise<ProjectSourceVerdict> {
    if (source.kind === 'git') {
      if (REMOTE_REPOSITORY.test(source.repositoryUrl) && !source.subdirectory?.split('/').includes('..'))
        return { allowed: true, reason: null };
      return {
        allowed: false,
        reason: 'Only remote https or ssh git repositories can be used by cloud sessions.',
        policyCode: 'project_source.repository_not_allowed',
      };
    }
    if (await snapshots.exists(q, caller.tenantId, source.snapshotId, source.objectKey)) return { allowed: true, reason: null };
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
      ...callerOf(caller),
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

  /**
   * Changes the member's session under its row lock, audited as `action`; `check` may refuse with a
   * coded error.
   */
  async function update(
    principal: Principal,
    sessionId: string,
    fields: { title?: string; status?: SessionStatus },
    action: string,
    check?: (view: CloudSessionView) => void,
  ): Promise<CloudSessionView> {
    const { tenantId, userId } = principal;
    return db.transaction(async (tx) => {
      await lockOwnedSession(sessions, tx, principal, sessionId);
      check?.((await sessions.view(tx, tenantId, userId, sessionId))!);
      await sessions.setFields(tx, sessionId, { ...fields, updatedAt: new Date().toISOString() });
      await audit.record(tx, principal, { action, targetType: 'session', targetId: sessionId });
      return (await sessions.view(tx, tenantId, userId, sessionId))!;
    });
  }

  /** Runs `work` in a transaction with the member's audit record of the session it made. */
  const audited = (
    principal: Principal,
    entry: (view: CloudSessionView) => AuditEntry,
    work: (tx: Queryable) => Promise<CloudSessionView>,
  ) =>
    db.transaction(async (tx) => {
      const view = await work(tx);
      await audit.record(tx, principal, entry(view));
      return view;
    });

  /** Opens a session, in its own transaction or in the caller's `tx`; no audit record (the caller's covers it). */
  async function create(
    caller: SessionCaller,
    input: { profileName?: string; projectSource?: CloudProjectSourceInput | null },
    tx?: Queryable,
  ): Promise<CloudSessionView> {
    const source = input.projectSource ?? null;
    if (source) {
      const verdict = await checkProjectSource(tx ?? db, caller, source);
      if (!verdict.allowed) throw httpError(verdict.policyCode, verdict.reason);
    }
    const summary = source ? summarise(source) : null;
    const drafts: EventDraft[] = [{ type: 'session.created', payload: { title: null, profileName: input.profileName ?? DEFAULT_PROFILE } }];
    if (summary) drafts.push({ type: 'session.project_source.bound', payload: { projectSource: summary } });
    return open(caller, { profileName: input.profileName, title: null, projectSource: summary }, drafts, tx);
  }

  const found = async (principal: Principal, sessionId: string): Promise<CloudSessionView> => {
    const view = await sessions.view(db, principal.tenantId, principal.userId, sessionId);
    if (!view) throw sessionNotFound();
    return view;
  };

  return {
    validateProjectSource: (caller: SessionCaller, source: CloudProjectSourceInput) => checkProjectSource(db, caller, source),

    /** The member's session, or 404. */
    get: found,

    /** The member's session with its projection normalised into the full view shape. */
    async normalizedView(principal: Principal, sessionId: string) {
      const view = await found(principal, sessionId);
      return { ...view, view: normalizeSessionProjectionView(view.projection?.view ?? null, view.session.sessionId) };
    },

    create,

    /** A member creates a session: `create`, with its `session.created` record in the same transaction. */
    createByMember: (principal: Principal, input: { profileName?: string; projectSource?: CloudProjectSourceInput | null }) =>
      audited(
        principal,
        (view) => ({ action: 'session.created', targetType: 'session', targetId: view.session.sessionId }),
        (tx) => create(principal, input, tx),
      ),

    /** Renames the member's session: the record and its projection view carry the new title. */
    rename: (principal: Principal, sessionId: string, title: string) =>
      update(principal, sessionId, { title: title.trim() }, 'session.renamed'),

    /**
     * Closes the caller's session for good: it stays listed and readable, and refuses commands
     * (`sessions.closed`). A running turn must be aborted first (`sessions.busy`), so that no runtime
     * appends to a closed session.
     */
    close: (principal: Principal, sessionId: string) =>
      update(principal, sessionId, { status: 'closed' }, 'session.closed', ({ session, projection }) => {
        const view = projection?.view as Partial<CloudSessionProjectionView> | undefined;
        if (session.status === 'running' || view?.isGenerating) {
          throw httpError('sessions.busy', 'The session is running a turn: abort it before closing the session.');
        }
      }),

    /** A member imports a session with its history, audited as `session.imported`. */
    async import(principal: Principal, request: SessionImportRequest): Promise<CloudSessionView> {
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
      return audited(
        principal,
        (view) => ({ action: 'session.imported', targetType: 'session', targetId: view.session.sessionId }),
        (tx) => open(principal, { profileName: request.profileName, title: request.title, projectSource: null }, drafts, tx),
      );
    },

    /** Stores a project snapshot of the member's tenant, audited as `project_snapshot.uploaded`. */
    async uploadSnapshot(principal: Principal, input: ProjectSnapshotUploadInput): Promise<ProjectSnapshotUploadResult> {
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
      const objectKey = `snapshots/${principal.tenantId}/${snapshotId}`;
      const createdAt = new Date().toISOString();
      const title = input.title ?? null;
      const fileCount = input.files.length;
      await db.transaction(async (tx) => {
        await snapshots.insert(tx, {
          ...callerOf(principal),
          snapshotId,
          objectKey,
          title,
          fileCount,
          byteCount,
          files: input.files.map(({ path, dataBase64, mode }) => ({ path, dataBase64, ...(mode === undefined ? {} : { mode }) })),
          manifest: { excluded: input.excluded ?? [], warnings: input.warnings ?? [] },
          createdAt,
        });
        await audit.record(tx, principal, {
          action: 'project_snapshot.uploaded',
          targetType: 'project_snapshot',
          targetId: snapshotId,
          metadata: { fileCount, byteCount },
        });
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

    async list(principal: Principal, query: SessionListQuery): Promise<SessionListPage> {
      const caller = callerOf(principal);
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
