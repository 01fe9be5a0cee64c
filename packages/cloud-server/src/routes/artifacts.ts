import { artifacts as artifactsSchemas } from '@open-cowork/shared/schemas';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

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

/** Session artifacts (`app.artifacts`): uploads, status changes, content and the index. */
export async function artifactRoutes(app: FastifyInstance) {
  const { artifacts } = app;
  const member = { access: 'member' as const };

  app.get<{ Params: Static<typeof SessionArtifactsParams> }>(
    '/api/sessions/:id/artifacts',
    { config: member, schema: { params: SessionArtifactsParams, response: { 200: ArtifactListResponse } } },
    async (request) => artifacts.list(request.principal, request.params.id),
  );

  app.post<{ Params: Static<typeof SessionArtifactsParams>; Body: Static<typeof ArtifactUploadBody> }>(
    '/api/sessions/:id/artifacts',
    {
      config: member,
      bodyLimit: UPLOAD_BODY_LIMIT,
      schema: { params: SessionArtifactsParams, body: ArtifactUploadBody, response: { 201: ArtifactResponse } },
    },
    async (request, reply) => reply.status(201).send(await artifacts.upload(request.principal, request.params.id, request.body)),
  );

  app.get<{ Params: Static<typeof ArtifactParams> }>(
    '/api/sessions/:id/artifacts/:artifactId',
    { config: member, schema: { params: ArtifactParams, response: { 200: ArtifactContentResponse } } },
    async (request) => artifacts.content(request.principal, request.params.id, request.params.artifactId),
  );

  app.post<{ Params: Static<typeof ArtifactParams>; Body: Static<typeof ArtifactStatusBody> }>(
    '/api/sessions/:id/artifacts/:artifactId/status',
    { config: member, schema: { params: ArtifactParams, body: ArtifactStatusBody, response: { 200: ArtifactResponse } } },
    async (request) => artifacts.setStatus(request.principal, request.params.id, request.params.artifactId, request.body),
  );

  app.get<{ Querystring: Static<typeof ArtifactIndexQuery> }>(
    '/api/artifacts',
    { config: member, schema: { querystring: ArtifactIndexQuery, response: { 200: ArtifactIndexResponse } } },
    async (request) => artifacts.index(request.principal, request.query),
  );
}
