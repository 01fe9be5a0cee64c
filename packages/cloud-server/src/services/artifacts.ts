import { createHash } from 'node:crypto';
import type {
  ArtifactIndexPayload,
  ArtifactIndexQuery,
  ArtifactStatus,
  ArtifactStatusUpdateBody,
  ArtifactUploadBody,
  ArtifactWithContent,
  PublicArtifact,
} from '@open-cowork/shared';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Principal } from '../auth/principal.js';
import { httpError } from '../errors.js';
import { newId } from '../ids.js';
import type { Db } from '../store/db.js';
import type { Stores } from '../store/stores.js';
import type { AuditService } from './audit.js';
import type { BillingService } from './billing.js';
import type { EventService } from './events.js';
import { callerOf, lockOwnedSession, sessionNotFound } from './sessions.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Session artifacts: upload, status, content and the cross-session index. */
    artifacts: ArtifactService;
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const STATUS_RANK: Record<ArtifactStatus, number> = { draft: 0, 'in-review': 1, final: 2 };
const DEFAULT_INDEX_LIMIT = 100;
const MAX_TASK_IDS = 128;
const MAX_TASK_ID_BYTES = 512;
// Control characters and path separators make no file name.
// eslint-disable-next-line no-control-regex
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses.
const BAD_FILENAME = /[\u0000-\u001f\u007f/\\]/;

/** Decoded size of canonical base64, without decoding it. */
const decodedSize = (base64: string) => (base64.length / 4) * 3 - (base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0);

/** What an artifact event carries: these fields of the public record, never the bytes. */
const EVENT_FIELDS = [
  'artifactId',
  'cloudArtifactId',
  'filename',
  'contentType',
  'mime',
  'size',
  'kind',
  'status',
  'filePath',
  'authorAgentId',
  'projectId',
  'taskId',
  'statusUpdatedBy',
  'statusUpdatedAt',
] as const satisfies readonly (keyof PublicArtifact)[];

function eventPayload(artifact: PublicArtifact): Record<string, unknown> {
  return Object.fromEntries(EVENT_FIELDS.map((field) => [field, artifact[field]]));
}

const artifactNotFound = () => httpError('artifacts.not_found', 'Artifact was not found.');

/** The bytes of an upload, once its file name and encoding are checked and its size is within `maxBytes`. */
function uploadedData(body: ArtifactUploadBody, maxBytes: number): { filename: string; data: Buffer } {
  const filename = body.filename.trim();
  if (filename === '' || filename === '.' || filename === '..' || BAD_FILENAME.test(filename)) {
    throw httpError('artifacts.filename_invalid', 'filename must be a plain file name, without path separators or control characters.');
  }
  if (body.dataBase64.length % 4 !== 0 || !BASE64.test(body.dataBase64)) {
    throw httpError('artifacts.data_invalid', 'dataBase64 must be standard, padded base64.');
  }
  if (decodedSize(body.dataBase64) > maxBytes) {
    throw httpError('artifacts.too_large', `An artifact may hold at most ${maxBytes} bytes.`, { body: { maxBytes } });
  }
  return { filename, data: Buffer.from(body.dataBase64, 'base64') };
}

/**
 * Session artifacts, stored in the database. Uploads and status changes append
 * `artifact.created` / `artifact.updated` to the session under its row lock, in the transaction of
 * the change and its audit record, so the projection and both streams see them. Status only moves
 * forward: draft → in-review → final.
 */
function createArtifactService(deps: {
  db: Db;
  artifacts: Stores['artifacts'];
  sessions: Stores['sessions'];
  events: EventService;
  audit: AuditService;
  billing: BillingService;
  /** The largest artifact, decoded. */
  maxBytes: number;
}) {
  const { db, artifacts, sessions, events, audit } = deps;

  /** Reads of the caller's session: unknown or another user's is a 404. */
  const requireSession = async (principal: Principal, sessionId: string) => {
    if (!(await sessions.get(db, principal.tenantId, principal.userId, sessionId))) throw sessionNotFound();
  };

  return {
    async list(principal: Principal, sessionId: string): Promise<{ artifacts: PublicArtifact[] }> {
      await requireSession(principal, sessionId);
      return { artifacts: await artifacts.listBySession(db, callerOf(principal), sessionId) };
    },

    async upload(principal: Principal, sessionId: string, body: ArtifactUploadBody): Promise<{ artifact: PublicArtifact }> {
      deps.billing.requireEntitlement(principal, 'artifacts');
      const { filename, data } = uploadedData(body, deps.maxBytes);
      const owner = callerOf(principal);
      const now = new Date().toISOString();
      const { artifact, notice } = await db.transaction(async (tx) => {
        const locked = await lockOwnedSession(sessions, tx, owner, sessionId);
        const stored = await artifacts.insert(tx, {
          artifactId: newId('art'),
          ...owner,
          sessionId,
          filename,
          contentType: body.contentType?.trim() || 'application/octet-stream',
          data,
          sha256: createHash('sha256').update(data).digest('hex'),
          kind: body.kind ?? 'document',
          status: body.status ?? 'draft',
          authorAgentId: body.authorAgentId ?? null,
          projectId: body.projectId ?? null,
          taskId: body.taskId ?? null,
          statusUpdatedBy: body.statusUpdatedBy ?? null,
          statusUpdatedAt: body.statusUpdatedAt ? new Date(body.statusUpdatedAt).toISOString() : null,
          now,
        });
        const appended = await events.appendLocked(tx, locked, [{ type: 'artifact.created', payload: eventPayload(stored) }]);
        await audit.record(tx, principal, {
          action: 'artifact.created',
          targetType: 'artifact',
          targetId: stored.artifactId,
          metadata: { sessionId, size: stored.size, kind: stored.kind },
        });
        // Positions and the session title as of this commit.
        return { artifact: { ...stored, sessionTitle: appended.view.session.title }, notice: appended.notice };
      });
      await events.publish(db, notice);
      return { artifact };
    },

    async content(principal: Principal, sessionId: string, artifactId: string): Promise<{ artifact: ArtifactWithContent }> {
      await requireSession(principal, sessionId);
      const found = await artifacts.content(db, callerOf(principal), sessionId, artifactId);
      if (!found) throw artifactNotFound();
      return { artifact: { ...found.artifact, dataBase64: found.data.toString('base64') } };
    },

    /** Moves the status forward and updates the labels; a change to nothing appends and audits nothing. */
    async setStatus(
      principal: Principal,
      sessionId: string,
      artifactId: string,
      body: ArtifactStatusUpdateBody,
    ): Promise<{ artifact: PublicArtifact }> {
      const owner = callerOf(principal);
      const result = await db.transaction(async (tx) => {
        const locked = await lockOwnedSession(sessions, tx, owner, sessionId);
        const current = await artifacts.get(tx, owner, sessionId, artifactId, true);
        if (!current) throw artifactNotFound();
        if (STATUS_RANK[body.status] < STATUS_RANK[current.status]) {
          throw httpError('artifacts.status_regression', `An artifact cannot go back from ${current.status} to ${body.status}.`, {
            body: { currentStatus: current.status },
          });
        }
        const now = new Date().toISOString();
        const statusChanged = body.status !== current.status;
        const change = {
          status: body.status,
          kind: body.kind ?? current.kind,
          authorAgentId: body.authorAgentId ?? current.authorAgentId,
          projectId: body.projectId ?? current.projectId,
          taskId: body.taskId ?? current.taskId,
          statusUpdatedBy: statusChanged ? (body.updatedBy ?? principal.userId) : current.statusUpdatedBy,
          statusUpdatedAt: statusChanged ? now : current.statusUpdatedAt,
        };
        const unchanged = (Object.keys(change) as (keyof typeof change)[]).every((key) => change[key] === current[key]);
        if (unchanged) return { artifact: current, notice: null };
        await artifacts.update(tx, artifactId, { ...change, now });
        const updated = (await artifacts.get(tx, owner, sessionId, artifactId))!;
        const appended = await events.appendLocked(tx, locked, [{ type: 'artifact.updated', payload: eventPayload(updated) }]);
        await audit.record(tx, principal, {
          action: 'artifact.updated',
          targetType: 'artifact',
          targetId: artifactId,
          metadata: { sessionId, from: current.status, to: updated.status },
        });
        return { artifact: updated, notice: appended.notice };
      });
      if (result.notice) await events.publish(db, result.notice);
      return { artifact: result.artifact };
    },

    /** The caller's artifacts across sessions, newest first, filtered. */
    async index(principal: Principal, query: ArtifactIndexQuery): Promise<ArtifactIndexPayload> {
      const { sessionId, projectId, taskId, taskIds = [], kind, status, limit = DEFAULT_INDEX_LIMIT } = query;
      const wanted = [...new Set([...taskIds, ...(taskId ? [taskId] : [])])];
      if (wanted.length > MAX_TASK_IDS) throw httpError('artifacts.too_many_task_ids', `Filter by at most ${MAX_TASK_IDS} task ids.`);
      if (wanted.some((id) => Buffer.byteLength(id) > MAX_TASK_ID_BYTES)) {
        throw httpError('artifacts.task_id_too_long', `Task ids are at most ${MAX_TASK_ID_BYTES} bytes.`);
      }
      const found = await artifacts.index(db, { ...callerOf(principal), sessionId, projectId, taskIds: wanted, kind, status }, limit);
      return { ...found, truncated: found.total > found.artifacts.length };
    },
  };
}

type ArtifactService = ReturnType<typeof createArtifactService>;

async function artifactServicesPlugin(app: FastifyInstance) {
  const { db, stores } = app;
  app.decorate(
    'artifacts',
    createArtifactService({
      db,
      artifacts: stores.artifacts,
      sessions: stores.sessions,
      events: app.sessionEvents,
      audit: app.audit,
      billing: app.billing,
      maxBytes: app.config.artifactMaxBytes,
    }),
  );
}

/** `app.artifacts`, for the artifact routes. */
export const artifactServices = fp(artifactServicesPlugin, {
  name: 'artifact-services',
  dependencies: ['store', 'account-services', 'session-services'],
});
