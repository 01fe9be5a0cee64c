import { common as commonSchemas, sessions as sessionsSchemas } from '@open-cowork/shared/schemas';
import type { SessionCommandKind } from '@open-cowork/shared';
import type { Static, TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
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

type Params = { Params: Static<typeof SessionParams> };

/** Sessions (`app.sessionService`), their commands (`app.commands`) and project sources. Owners only see their own. */
export async function sessionRoutes(app: FastifyInstance) {
  const { sessionService, commands } = app;
  const member = { access: 'member' as const };

  app.get<{ Querystring: Static<typeof SessionListQuery> }>(
    '/api/sessions',
    { config: member, schema: { querystring: SessionListQuery, response: { 200: SessionListPage } } },
    async (request) => {
      // `query` is the old name of `q`.
      const { q, query, ...rest } = request.query;
      const search = q ?? query;
      return sessionService.list(request.principal, { ...rest, ...(search ? { q: search } : {}) });
    },
  );

  app.post<{ Body: Static<typeof CreateSessionBody> }>(
    '/api/sessions',
    { config: member, schema: { body: CreateSessionBody, response: { 201: SessionView } } },
    async (request, reply) => reply.status(201).send(await sessionService.createByMember(request.principal, request.body)),
  );

  app.post<{ Body: Static<typeof ValidateProjectSourceBody> }>(
    '/api/project-sources/validate',
    { config: member, schema: { body: ValidateProjectSourceBody, response: { 200: ValidateProjectSourceResult } } },
    async (request) => sessionService.validateProjectSource(request.principal, request.body.projectSource),
  );

  app.post<{ Body: Static<typeof ProjectSnapshotBody> }>(
    '/api/project-sources/snapshots',
    { config: member, bodyLimit: LARGE_BODY, schema: { body: ProjectSnapshotBody, response: { 201: ProjectSnapshotUploadResult } } },
    async (request, reply) => reply.status(201).send(await sessionService.uploadSnapshot(request.principal, request.body)),
  );

  app.post(
    '/api/import/sessions',
    { config: member, bodyLimit: LARGE_BODY, schema: { body: SessionImportBody, response: { 201: SessionView } } },
    async (request, reply) => {
      // The schema checks the fields the server reads; the request type is the contract's.
      const body = request.body as Parameters<typeof sessionService.import>[1];
      return reply.status(201).send(await sessionService.import(request.principal, body));
    },
  );

  app.get<Params>(
    '/api/sessions/:id',
    { config: member, schema: { params: SessionParams, response: { 200: SessionView } } },
    async (request) => sessionService.get(request.principal, request.params.id),
  );

  app.patch<Params & { Body: Static<typeof RenameSessionBody> }>(
    '/api/sessions/:id',
    { config: member, schema: { params: SessionParams, body: RenameSessionBody, response: { 200: SessionView } } },
    async (request) => sessionService.rename(request.principal, request.params.id, request.body.title),
  );

  // Closing, not deleting: the event log is append-only and mirrored into the workspace stream that
  // other clients replay, so a closed session stays readable and simply takes no more commands.
  app.post<Params>(
    '/api/sessions/:id/close',
    { config: member, schema: { params: SessionParams, body: EmptyBody, response: { 200: SessionView } } },
    async (request) => sessionService.close(request.principal, request.params.id),
  );

  // Server-only: the projection normalised into the full view shape.
  app.get<Params>(
    '/api/sessions/:id/view',
    { config: member, schema: { params: SessionParams, response: { 200: SessionNormalizedView } } },
    async (request) => sessionService.normalizedView(request.principal, request.params.id),
  );

  // The command service runs the Idempotency-Key in the command's own transaction (app.idempotent).
  const commandConfig = { ...member, idempotency: 'handled' as const };
  const command = (path: string, kind: SessionCommandKind, body: TSchema) =>
    app.post<Params>(
      path,
      { config: commandConfig, schema: { params: SessionParams, body, response: { 202: SessionCommandResponse } } },
      async (request, reply) => {
        const { id: sessionId } = request.params;
        const payload = request.body as Record<string, unknown>;
        const idempotencyKey = idempotentKeyOf(request, { sessionId, kind, payload });
        const { tenantId, userId, tokenId } = request.principal;
        const result = await commands.execute({ tenantId, userId, tokenId }, { sessionId, kind, payload, idempotencyKey });
        return sendIdempotent(reply, result);
      },
    );

  command('/api/sessions/:id/prompt', 'prompt', PromptBody);
  command('/api/sessions/:id/abort', 'abort', EmptyBody);
  command('/api/sessions/:id/question-reply', 'question.reply', QuestionReplyBody);
  command('/api/sessions/:id/question-reject', 'question.reject', QuestionRejectBody);
  command('/api/sessions/:id/permission-respond', 'permission.respond', PermissionBody);
}
