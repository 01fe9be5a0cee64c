import { artifacts as artifactsSchemas } from '@open-cowork/shared/schemas';
import { createHash } from 'node:crypto';
import type { ArtifactStatus, PublicArtifact } from '@open-cowork/shared';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { httpError } from '../errors.js';
import { newId } from '../ids.js';
import type { EventDraft } from '../services/events.js';
import type { ArtifactOwner } from '../store/artifacts.js';

const {
  ArtifactContentResponse,
  ArtifactIndexQuery,
  ArtifactIndexResponse,
  ArtifactListResponse,
  ArtifactParams,
  ArtifactResponse,
  ArtifactStatusBody,
  ArtifactUploadBody,
  SessionArtifactsParams,
} = artifactsSchemas;

/** JSON body cap of the upload route: base64 of the largest artifact plus its fields. */
const UPLOAD_BODY_LIMIT = 35 * 1024 * 1024;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const STATUS_RANK: Record<ArtifactStatus, number> = { draft: 0, 'in-review': 1, final: 2 };
const DEFAULT_INDEX_LIMIT = 100;
const MAX_TASK_ID_BYTES = 512;
// Control characters and path separators make no file name.
// eslint-disable-next-line no-control-regex
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses.
const BAD_FILENAME = /[\u0000-\u001f\u007f/\\]/;

const ownerOf = (request: FastifyRequest): ArtifactOwner => ({ tenantId: request.principal.tenantId, userId: request.principal.userId });

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

/**
 * Session artifacts, stored in the database. Uploads and status changes
 * append `artifact.created` / `artifact.updated` to the session in the same transaction, so the
 * projection and both streams see them. Status only moves forward: draft → in-review → final.
 */
export async function artifactRoutes(app: FastifyInstance) {
  const artifacts = app.stores.artifacts;
  const member = { access: 'member' as const };
  const sessionNotFound = () => httpError('sessions.not_found', 'Cloud session was not found.');
  const artifactNotFound = () => httpError('artifacts.not_found', 'Artifact was not found.');

  const requireSession = async (request: FastifyRequest, sessionId: string) => {
    const { tenantId, userId } = request.principal;
    if (!(await app.stores.sessions.get(app.db, tenantId, userId, sessionId))) throw sessionNotFound();
  };

  app.get<{ Params: Static<typeof SessionArtifactsParams> }>(
    '/api/sessions/:id/artifacts',
    { config: member, schema: { params: SessionArtifactsParams, response: { 200: ArtifactListResponse } } },
    async (request) => {
      await requireSession(request, request.params.id);
      return { artifacts: await artifacts.listBySession(app.db, ownerOf(request), request.params.id) };
    },
  );

  app.post<{ Params: Static<typeof SessionArtifactsParams>; Body: Static<typeof ArtifactUploadBody> }>(
    '/api/sessions/:id/artifacts',
    {
      config: member,
      bodyLimit: UPLOAD_BODY_LIMIT,
      schema: { params: SessionArtifactsParams, body: ArtifactUploadBody, response: { 201: ArtifactResponse } },
    },
    async (request, reply) => {
      app.billing.requireEntitlement(request.principal, 'artifacts');
      const body = request.body;
      const filename = body.filename.trim();
      if (filename === '' || filename === '.' || filename === '..' || BAD_FILENAME.test(filename)) {
        throw httpError('artifacts.filename_invalid', 'filename must be a plain file name, without path separators or control characters.');
      }
      if (body.dataBase64.length % 4 !== 0 || !BASE64.test(body.dataBase64)) {
        throw httpError('artifacts.data_invalid', 'dataBase64 must be standard, padded base64.');
      }
      const maxBytes = app.config.artifactMaxBytes;
      if (decodedSize(body.dataBase64) > maxBytes) {
        throw httpError('artifacts.too_large', `An artifact may hold at most ${maxBytes} bytes.`, { body: { maxBytes } });
      }
      const data = Buffer.from(body.dataBase64, 'base64');
      const owner = ownerOf(request);
      const sessionId = request.params.id;
      const now = new Date().toISOString();
      const status = body.status ?? 'draft';
      const { artifact, notice } = await app.db.transaction(async (tx) => {
        const locked = await app.stores.sessions.lock(tx, sessionId);
        if (!locked || locked.record.tenantId !== owner.tenantId || locked.record.userId !== owner.userId) throw sessionNotFound();
        const stored = await artifacts.insert(tx, {
          artifactId: newId('art'),
          ...owner,
          sessionId,
          filename,
          contentType: body.contentType?.trim() || 'application/octet-stream',
          data,
          sha256: createHash('sha256').update(data).digest('hex'),
          kind: body.kind ?? 'document',
          status,
          authorAgentId: body.authorAgentId ?? null,
          projectId: body.projectId ?? null,
          taskId: body.taskId ?? null,
          statusUpdatedBy: body.statusUpdatedBy ?? null,
          statusUpdatedAt: body.statusUpdatedAt ? new Date(body.statusUpdatedAt).toISOString() : null,
          now,
        });
        const drafts: EventDraft[] = [{ type: 'artifact.created', payload: eventPayload(stored) }];
        const appended = await app.sessionEvents.appendLocked(tx, locked, drafts);
        await app.audit.record(tx, request.principal, {
          action: 'artifact.created',
          targetType: 'artifact',
          targetId: stored.artifactId,
          metadata: { sessionId, size: stored.size, kind: stored.kind },
        });
        // Positions and the session title as of this commit.
        return { artifact: { ...stored, sessionTitle: appended.view.session.title }, notice: appended.notice };
      });
      await app.sessionEvents.publish(app.db, notice);
      return reply.status(201).send({ artifact });
    },
  );

  app.get<{ Params: Static<typeof ArtifactParams> }>(
    '/api/sessions/:id/artifacts/:artifactId',
    { config: member, schema: { params: ArtifactParams, response: { 200: ArtifactContentResponse } } },
    async (request) => {
      await requireSession(request, request.params.id);
      const found = await artifacts.content(app.db, ownerOf(request), request.params.id, request.params.artifactId);
      if (!found) throw artifactNotFound();
      return { artifact: { ...found.artifact, dataBase64: found.data.toString('base64') } };
    },
  );

  app.post<{ Params: Static<typeof ArtifactParams>; Body: Static<typeof ArtifactStatusBody> }>(
    '/api/sessions/:id/artifacts/:artifactId/status',
    { config: member, schema: { params: ArtifactParams, body: ArtifactStatusBody, response: { 200: ArtifactResponse } } },
    async (request) => {
      const owner = ownerOf(request);
      const { id: sessionId, artifactId } = request.params;
      const body = request.body;
      const result = await app.db.transaction(async (tx) => {
        const locked = await app.stores.sessions.lock(tx, sessionId);
        if (!locked || locked.record.tenantId !== owner.tenantId || locked.record.userId !== owner.userId) throw sessionNotFound();
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
          statusUpdatedBy: statusChanged ? (body.updatedBy ?? request.principal.userId) : current.statusUpdatedBy,
          statusUpdatedAt: statusChanged ? now : current.statusUpdatedAt,
        };
        const unchanged = (Object.keys(change) as (keyof typeof change)[]).every((key) => change[key] === current[key]);
        if (unchanged) return { artifact: current, notice: null };
        await artifacts.update(tx, artifactId, { ...change, now });
        const updated = (await artifacts.get(tx, owner, sessionId, artifactId))!;
        const appended = await app.sessionEvents.appendLocked(tx, locked, [{ type: 'artifact.updated', payload: eventPayload(updated) }]);
        await app.audit.record(tx, request.principal, {
          action: 'artifact.updated',
          targetType: 'artifact',
          targetId: artifactId,
          metadata: { sessionId, from: current.status, to: updated.status },
        });
        return { artifact: updated, notice: appended.notice };
      });
      if (result.notice) await app.sessionEvents.publish(app.db, result.notice);
      return { artifact: result.artifact };
    },
  );

  app.get<{ Querystring: Static<typeof ArtifactIndexQuery> }>(
    '/api/artifacts',
    { config: member, schema: { querystring: ArtifactIndexQuery, response: { 200: ArtifactIndexResponse } } },
    async (request) => {
      const { sessionId, projectId, taskId, taskIds = [], kind, status, limit = DEFAULT_INDEX_LIMIT } = request.query;
      const wanted = [...new Set([...taskIds, ...(taskId ? [taskId] : [])])];
      if (wanted.length > 128) throw httpError('artifacts.too_many_task_ids', 'Filter by at most 128 task ids.');
      if (wanted.some((id) => Buffer.byteLength(id) > MAX_TASK_ID_BYTES)) {
        throw httpError('artifacts.task_id_too_long', `Task ids are at most ${MAX_TASK_ID_BYTES} bytes.`);
      }
      const found = await artifacts.index(app.db, { ...ownerOf(request), sessionId, projectId, taskIds: wanted, kind, status }, limit);
      return { ...found, truncated: found.total > found.artifacts.length };
    },
  );
}
