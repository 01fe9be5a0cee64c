import { normalizeSessionProjectionView, type SessionCommandKind } from '@open-cowork/shared';
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { httpError } from '../errors.js';
import { idempotentKeyOf, sendIdempotent } from '../idempotency.js';
import { Id } from '../schemas/common.js';

const Text = (maxLength: number) => Type.String({ maxLength });
const SessionParams = Type.Object({ id: Id });
const SessionStatus = Type.Union([Type.Literal('idle'), Type.Literal('running'), Type.Literal('closed'), Type.Literal('errored')]);

const ProjectSource = Type.Union([
  Type.Object({
    kind: Type.Literal('git'),
    repositoryUrl: Type.String({ minLength: 1, maxLength: 2048 }),
    ref: Type.Optional(Text(256)),
    subdirectory: Type.Optional(Text(1024)),
    credentialRef: Type.Optional(Text(256)),
  }),
  Type.Object({
    kind: Type.Literal('snapshot'),
    snapshotId: Id,
    objectKey: Type.String({ minLength: 1, maxLength: 1024 }),
    fileCount: Type.Integer({ minimum: 0 }),
    byteCount: Type.Integer({ minimum: 0 }),
    title: Type.Optional(Text(256)),
  }),
]);

const ListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  cursor: Type.Optional(Type.String({ maxLength: 2048 })),
  status: Type.Optional(SessionStatus),
  profileName: Type.Optional(Text(200)),
  q: Type.Optional(Text(200)),
  /** Alias of `q` some clients send. */
  query: Type.Optional(Text(200)),
});
const CreateBody = Type.Object({
  profileName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  projectSource: Type.Optional(Type.Union([ProjectSource, Type.Null()])),
});
const RenameBody = Type.Object({
  title: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', description: 'The new title; blank titles are refused.' }),
});
const ValidateBody = Type.Object({ projectSource: ProjectSource });
const SnapshotBody = Type.Object({
  title: Type.Optional(Text(256)),
  files: Type.Array(
    Type.Object({
      path: Type.String({ minLength: 1, maxLength: 4096 }),
      dataBase64: Type.String({ pattern: '^[A-Za-z0-9+/]*={0,2}$' }),
      byteCount: Type.Optional(Type.Integer({ minimum: 0 })),
      mode: Type.Optional(Type.Integer({ minimum: 0 })),
    }),
    { maxItems: 10_000 },
  ),
  excluded: Type.Optional(Type.Array(Type.Object({ path: Type.String(), reason: Type.String() }))),
  warnings: Type.Optional(Type.Array(Type.String())),
  fileCount: Type.Optional(Type.Integer({ minimum: 0 })),
  byteCount: Type.Optional(Type.Integer({ minimum: 0 })),
});
const Attachment = Type.Object({ mime: Type.String(), url: Type.String(), filename: Type.Optional(Type.String()) });
const ImportBody = Type.Object({
  source: Type.Object({
    kind: Type.Literal('local-session'),
    fingerprint: Type.String({ minLength: 1, maxLength: 512 }),
    title: Type.String(),
  }),
  title: Text(512),
  profileName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  selection: Type.Object({}, { additionalProperties: true }),
  itemCounts: Type.Object({
    messages: Type.Integer({ minimum: 0 }),
    artifacts: Type.Integer({ minimum: 0 }),
    attachments: Type.Integer({ minimum: 0 }),
    projectSource: Type.Integer({ minimum: 0 }),
    excluded: Type.Integer({ minimum: 0 }),
  }),
  warnings: Type.Optional(Type.Array(Type.Object({ code: Type.String(), message: Type.String(), severity: Type.String() }))),
  excluded: Type.Optional(Type.Array(Type.Object({ kind: Type.String(), count: Type.Integer(), reason: Type.String() }))),
  messages: Type.Optional(
    Type.Array(
      Type.Object({
        id: Id,
        role: Type.Union([Type.Literal('user'), Type.Literal('assistant')]),
        content: Type.String(),
        timestamp: Type.Optional(Type.String()),
        order: Type.Number(),
        attachments: Type.Optional(Type.Array(Attachment)),
      }),
      { maxItems: 10_000 },
    ),
  ),
  artifacts: Type.Optional(
    Type.Array(Type.Object({ id: Id, filename: Type.String(), dataBase64: Type.String(), order: Type.Number() }), { maxItems: 25 }),
  ),
  todos: Type.Optional(Type.Array(Type.Unknown())),
  sessionCost: Type.Optional(Type.Number({ minimum: 0 })),
  sessionTokens: Type.Optional(Type.Record(Type.String(), Type.Number())),
});

const PromptBody = Type.Object({
  text: Type.String({ minLength: 1, maxLength: 200_000 }),
  agent: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});
const QuestionReplyBody = Type.Object({ requestId: Id, answers: Type.Array(Type.Unknown()) });
const QuestionRejectBody = Type.Object({ requestId: Id });
const PermissionBody = Type.Object({ permissionId: Id, response: Type.Unknown() });
const EmptyBody = Type.Object({});

/** Uploads and imports carry files: 35 MiB instead of the default 1 MiB. */
const LARGE_BODY = 35 * 1024 * 1024;

const caller = (request: FastifyRequest) => ({ tenantId: request.principal.tenantId, userId: request.principal.userId });

/** Sessions, their commands and project sources. Owners only see their own. */
export async function sessionRoutes(app: FastifyInstance) {
  const member = { access: 'member' as const };

  app.get('/api/sessions', { config: member, schema: { querystring: ListQuery } }, async (request) => {
    const { q, query, ...rest } = request.query as Static<typeof ListQuery>;
    const search = q ?? query;
    return app.sessionService.list(caller(request), { ...rest, ...(search ? { q: search } : {}) });
  });

  app.post('/api/sessions', { config: member, schema: { body: CreateBody } }, async (request, reply) => {
    const body = request.body as Static<typeof CreateBody>;
    const view = await app.sessionService.create(caller(request), body);
    await app.audit.record(app.db, request.principal, {
      action: 'session.created',
      targetType: 'session',
      targetId: view.session.sessionId,
    });
    return reply.status(201).send(view);
  });

  app.post('/api/project-sources/validate', { config: member, schema: { body: ValidateBody } }, async (request) =>
    app.sessionService.validateProjectSource(caller(request), (request.body as Static<typeof ValidateBody>).projectSource),
  );

  app.post(
    '/api/project-sources/snapshots',
    { config: member, bodyLimit: LARGE_BODY, schema: { body: SnapshotBody } },
    async (request, reply) => {
      const snapshot = await app.sessionService.uploadSnapshot(caller(request), request.body as Static<typeof SnapshotBody>);
      await app.audit.record(app.db, request.principal, {
        action: 'project_snapshot.uploaded',
        targetType: 'project_snapshot',
        targetId: snapshot.snapshotId,
        metadata: { fileCount: snapshot.fileCount, byteCount: snapshot.byteCount },
      });
      return reply.status(201).send(snapshot);
    },
  );

  app.post('/api/import/sessions', { config: member, bodyLimit: LARGE_BODY, schema: { body: ImportBody } }, async (request, reply) => {
    // The schema checks the fields the server reads; the request type is the contract's.
    const view = await app.sessionService.import(caller(request), request.body as Parameters<typeof app.sessionService.import>[1]);
    await app.audit.record(app.db, request.principal, {
      action: 'session.imported',
      targetType: 'session',
      targetId: view.session.sessionId,
    });
    return reply.status(201).send(view);
  });

  const findView = async (request: FastifyRequest) => {
    const { id } = request.params as Static<typeof SessionParams>;
    const view = await app.sessionsStore.view(app.db, request.principal.tenantId, request.principal.userId, id);
    if (!view) throw httpError('sessions.not_found', 'Cloud session was not found.');
    return view;
  };

  app.get('/api/sessions/:id', { config: member, schema: { params: SessionParams } }, findView);

  app.patch('/api/sessions/:id', { config: member, schema: { params: SessionParams, body: RenameBody } }, async (request) => {
    const { id } = request.params as Static<typeof SessionParams>;
    const view = await app.sessionService.rename(caller(request), id, (request.body as Static<typeof RenameBody>).title);
    await app.audit.record(app.db, request.principal, { action: 'session.renamed', targetType: 'session', targetId: id });
    return view;
  });

  // Closing, not deleting: the event log is append-only and mirrored into the workspace stream that
  // other clients replay, so a closed session stays readable and simply takes no more commands.
  app.post('/api/sessions/:id/close', { config: member, schema: { params: SessionParams, body: EmptyBody } }, async (request) => {
    const { id } = request.params as Static<typeof SessionParams>;
    const view = await app.sessionService.close(caller(request), id);
    await app.audit.record(app.db, request.principal, { action: 'session.closed', targetType: 'session', targetId: id });
    return view;
  });

  // Server-only: the projection normalised into the full view shape.
  app.get('/api/sessions/:id/view', { config: member, schema: { params: SessionParams } }, async (request) => {
    const found = await findView(request);
    return { ...found, view: normalizeSessionProjectionView(found.projection?.view ?? null, found.session.sessionId) };
  });

  // The command service runs the Idempotency-Key in the command's own transaction (runIdempotent).
  const commandConfig = { ...member, idempotency: 'handled' as const };
  const command = (path: string, kind: SessionCommandKind, body: TSchema) =>
    app.post(path, { config: commandConfig, schema: { params: SessionParams, body } }, async (request, reply) => {
      const { id: sessionId } = request.params as Static<typeof SessionParams>;
      const payload = request.body as Record<string, unknown>;
      const idempotencyKey = idempotentKeyOf(request, { sessionId, kind, payload });
      const result = await app.commands.execute(
        { ...caller(request), tokenId: request.principal.tokenId },
        { sessionId, kind, payload, idempotencyKey },
      );
      return sendIdempotent(reply, result);
    });

  command('/api/sessions/:id/prompt', 'prompt', PromptBody);
  command('/api/sessions/:id/abort', 'abort', EmptyBody);
  command('/api/sessions/:id/question-reply', 'question.reply', QuestionReplyBody);
  command('/api/sessions/:id/question-reject', 'question.reject', QuestionRejectBody);
  command('/api/sessions/:id/permission-respond', 'permission.respond', PermissionBody);
}
