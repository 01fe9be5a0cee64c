import { common as commonSchemas, sessions as sessionsSchemas } from '@open-cowork/shared/schemas';
import { normalizeSessionProjectionView, type SessionCommandKind } from '@open-cowork/shared';
import type { Static, TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { httpError } from '../errors.js';
import { idempotentKeyOf, sendIdempotent } from '../idempotency.js';

const {
  CreateSessionBody,
  PermissionBody,
  ProjectSnapshotBody,
  ProjectSnapshotUploadResult,
  PromptBody,
  QuestionRejectBody,
  QuestionReplyBody,
  RenameSessionBody,
  SessionCommandResponse,
  SessionImportBody,
  SessionListPage,
  SessionListQuery,
  SessionNormalizedView,
  SessionParams,
  SessionView,
  ValidateProjectSourceBody,
  ValidateProjectSourceResult,
} = sessionsSchemas;
const { EmptyBody } = commonSchemas;

/** Uploads and imports carry files: 35 MiB instead of the default 1 MiB. */
const LARGE_BODY = 35 * 1024 * 1024;

const caller = (request: FastifyRequest) => ({ tenantId: request.principal.tenantId, userId: request.principal.userId });

/** Sessions, their commands and project sources. Owners only see their own. */
export async function sessionRoutes(app: FastifyInstance) {
  const member = { access: 'member' as const };

  app.get(
    '/api/sessions',
    { config: member, schema: { querystring: SessionListQuery, response: { 200: SessionListPage } } },
    async (request) => {
      const { q, query, ...rest } = request.query as Static<typeof SessionListQuery>;
      const search = q ?? query;
      return app.sessionService.list(caller(request), { ...rest, ...(search ? { q: search } : {}) });
    },
  );

  app.post(
    '/api/sessions',
    { config: member, schema: { body: CreateSessionBody, response: { 201: SessionView } } },
    async (request, reply) => {
      const body = request.body as Static<typeof CreateSessionBody>;
      const view = await app.sessionService.create(caller(request), body);
      await app.audit.record(app.db, request.principal, {
        action: 'session.created',
        targetType: 'session',
        targetId: view.session.sessionId,
      });
      return reply.status(201).send(view);
    },
  );

  app.post(
    '/api/project-sources/validate',
    { config: member, schema: { body: ValidateProjectSourceBody, response: { 200: ValidateProjectSourceResult } } },
    async (request) =>
      app.sessionService.validateProjectSource(caller(request), (request.body as Static<typeof ValidateProjectSourceBody>).projectSource),
  );

  app.post(
    '/api/project-sources/snapshots',
    { config: member, bodyLimit: LARGE_BODY, schema: { body: ProjectSnapshotBody, response: { 201: ProjectSnapshotUploadResult } } },
    async (request, reply) => {
      const snapshot = await app.sessionService.uploadSnapshot(caller(request), request.body as Static<typeof ProjectSnapshotBody>);
      await app.audit.record(app.db, request.principal, {
        action: 'project_snapshot.uploaded',
        targetType: 'project_snapshot',
        targetId: snapshot.snapshotId,
        metadata: { fileCount: snapshot.fileCount, byteCount: snapshot.byteCount },
      });
      return reply.status(201).send(snapshot);
    },
  );

  app.post(
    '/api/import/sessions',
    { config: member, bodyLimit: LARGE_BODY, schema: { body: SessionImportBody, response: { 201: SessionView } } },
    async (request, reply) => {
      // The schema checks the fields the server reads; the request type is the contract's.
      const view = await app.sessionService.import(caller(request), request.body as Parameters<typeof app.sessionService.import>[1]);
      await app.audit.record(app.db, request.principal, {
        action: 'session.imported',
        targetType: 'session',
        targetId: view.session.sessionId,
      });
      return reply.status(201).send(view);
    },
  );

  const findView = async (request: FastifyRequest) => {
    const { id } = request.params as Static<typeof SessionParams>;
    const view = await app.stores.sessions.view(app.db, request.principal.tenantId, request.principal.userId, id);
    if (!view) throw httpError('sessions.not_found', 'Cloud session was not found.');
    return view;
  };

  app.get('/api/sessions/:id', { config: member, schema: { params: SessionParams, response: { 200: SessionView } } }, findView);

  app.patch(
    '/api/sessions/:id',
    { config: member, schema: { params: SessionParams, body: RenameSessionBody, response: { 200: SessionView } } },
    async (request) => {
      const { id } = request.params as Static<typeof SessionParams>;
      const view = await app.sessionService.rename(caller(request), id, (request.body as Static<typeof RenameSessionBody>).title);
      await app.audit.record(app.db, request.principal, { action: 'session.renamed', targetType: 'session', targetId: id });
      return view;
    },
  );

  // Closing, not deleting: the event log is append-only and mirrored into the workspace stream that
  // other clients replay, so a closed session stays readable and simply takes no more commands.
  app.post(
    '/api/sessions/:id/close',
    { config: member, schema: { params: SessionParams, body: EmptyBody, response: { 200: SessionView } } },
    async (request) => {
      const { id } = request.params as Static<typeof SessionParams>;
      const view = await app.sessionService.close(caller(request), id);
      await app.audit.record(app.db, request.principal, { action: 'session.closed', targetType: 'session', targetId: id });
      return view;
    },
  );

  // Server-only: the projection normalised into the full view shape.
  app.get(
    '/api/sessions/:id/view',
    { config: member, schema: { params: SessionParams, response: { 200: SessionNormalizedView } } },
    async (request) => {
      const found = await findView(request);
      return { ...found, view: normalizeSessionProjectionView(found.projection?.view ?? null, found.session.sessionId) };
    },
  );

  // The command service runs the Idempotency-Key in the command's own transaction (runIdempotent).
  const commandConfig = { ...member, idempotency: 'handled' as const };
  const command = (path: string, kind: SessionCommandKind, body: TSchema) =>
    app.post(
      path,
      { config: commandConfig, schema: { params: SessionParams, body, response: { 202: SessionCommandResponse } } },
      async (request, reply) => {
        const { id: sessionId } = request.params as Static<typeof SessionParams>;
        const payload = request.body as Record<string, unknown>;
        const idempotencyKey = idempotentKeyOf(request, { sessionId, kind, payload });
        const result = await app.commands.execute(
          { ...caller(request), tokenId: request.principal.tokenId },
          { sessionId, kind, payload, idempotencyKey },
        );
        return sendIdempotent(reply, result);
      },
    );

  command('/api/sessions/:id/prompt', 'prompt', PromptBody);
  command('/api/sessions/:id/abort', 'abort', EmptyBody);
  command('/api/sessions/:id/question-reply', 'question.reply', QuestionReplyBody);
  command('/api/sessions/:id/question-reject', 'question.reject', QuestionRejectBody);
  command('/api/sessions/:id/permission-respond', 'permission.respond', PermissionBody);
}
