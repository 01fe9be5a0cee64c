import { Type } from '@sinclair/typebox';
import { Id, Nullable } from './common.js';

const Timestamp = Type.String({ format: 'date-time' });
const OptionalNullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Optional(Nullable(schema));
const Ref = Type.String({ minLength: 1, maxLength: 512 });

const ArtifactKind = Type.Union([
  Type.Literal('document'),
  Type.Literal('chart'),
  Type.Literal('deck'),
  Type.Literal('spreadsheet'),
  Type.Literal('draft'),
]);
const ArtifactStatus = Type.Union([Type.Literal('draft'), Type.Literal('in-review'), Type.Literal('final')]);

export const SessionArtifactsParams = Type.Object({ id: Id });
export const ArtifactParams = Type.Object({ id: Id, artifactId: Id });

export const ArtifactUploadBody = Type.Object({
  /** A plain file name: no path separators or control characters (checked by the route). */
  filename: Type.String({ minLength: 1, maxLength: 255 }),
  contentType: OptionalNullable(Type.String({ maxLength: 200, pattern: '^[\\w.+-]+/[\\w.+-]+(\\s*;.*)?$' })),
  /** Standard base64 (checked by the route, which also caps the decoded size). */
  dataBase64: Type.String(),
  kind: OptionalNullable(ArtifactKind),
  status: OptionalNullable(ArtifactStatus),
  authorAgentId: OptionalNullable(Ref),
  projectId: OptionalNullable(Ref),
  taskId: OptionalNullable(Ref),
  statusUpdatedBy: OptionalNullable(Ref),
  statusUpdatedAt: OptionalNullable(Timestamp),
});

export const ArtifactStatusBody = Type.Object({
  status: ArtifactStatus,
  updatedBy: OptionalNullable(Ref),
  authorAgentId: OptionalNullable(Ref),
  projectId: OptionalNullable(Ref),
  taskId: OptionalNullable(Ref),
  kind: OptionalNullable(ArtifactKind),
});

export const ArtifactIndexQuery = Type.Object({
  sessionId: Type.Optional(Id),
  projectId: Type.Optional(Ref),
  taskId: Type.Optional(Ref),
  /** Repeated; at most 128 ids of at most 512 bytes each. */
  taskIds: Type.Optional(Type.Array(Ref, { maxItems: 128 })),
  kind: Type.Optional(ArtifactKind),
  status: Type.Optional(ArtifactStatus),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
});

const artifactFields = {
  artifactId: Type.String(),
  id: Type.String(),
  toolId: Type.Literal('cloud-artifact'),
  toolName: Type.Literal('cloud.artifact'),
  filePath: Type.String(),
  filename: Type.String(),
  order: Type.Integer(),
  source: Type.Literal('cloud'),
  cloudArtifactId: Type.String(),
  sessionId: Type.String(),
  sessionTitle: Nullable(Type.String()),
  workspaceId: Type.String(),
  mime: Type.String(),
  contentType: Type.String(),
  size: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  kind: ArtifactKind,
  status: ArtifactStatus,
  authorAgentId: Nullable(Type.String()),
  projectId: Nullable(Type.String()),
  taskId: Nullable(Type.String()),
  statusUpdatedBy: Nullable(Type.String()),
  statusUpdatedAt: Nullable(Timestamp),
};
const PublicArtifact = Type.Object(artifactFields);
export const ArtifactResponse = Type.Object({ artifact: PublicArtifact });
export const ArtifactContentResponse = Type.Object({ artifact: Type.Object({ ...artifactFields, dataBase64: Type.String() }) });
export const ArtifactListResponse = Type.Object({ artifacts: Type.Array(PublicArtifact) });
export const ArtifactIndexResponse = Type.Object({
  artifacts: Type.Array(PublicArtifact),
  total: Type.Integer(),
  scannedSessions: Type.Integer(),
  truncated: Type.Boolean(),
});
