import {
  ARTIFACT_KINDS,
  ARTIFACT_STATUSES,
  CLOUD_ARTIFACT_SCHEME,
  type ArtifactIndexPayload,
  type ArtifactKind,
  type ArtifactStatus,
  type ArtifactStatusUpdateBody,
  type ArtifactUploadBody,
  type ArtifactWithContent,
  type PublicArtifact,
} from '@open-cowork/shared';
import type { CloudClientContext, CloudCommandOptions } from '../core/context.js';
import { invalidRequest } from '../core/errors.js';
import { apiPath } from '../core/path.js';

/** An artifact of a session, as the API lists it. */
export type SessionArtifact = PublicArtifact;

/** Filters of `indexArtifacts`; all optional. */
export interface ArtifactIndexQuery {
  sessionId?: string;
  projectId?: string;
  taskId?: string;
  /** At most 128 ids; sent as repeated `taskIds`. */
  taskIds?: string[];
  kind?: ArtifactKind;
  status?: ArtifactStatus;
  limit?: number;
}

/** Input of `updateArtifactStatus`. Absent optional fields are sent as null. */
export interface ArtifactStatusUpdateInput {
  sessionId: string;
  artifactId: string;
  status: ArtifactStatus;
  updatedBy?: string | null;
  authorAgentId?: string | null;
  projectId?: string | null;
  taskId?: string | null;
  kind?: ArtifactKind | null;
}

/** Input of `uploadArtifact`: the content as `dataBase64` or as raw bytes in `data`, not both. */
export interface ArtifactUploadInput {
  filename: string;
  contentType?: string | null;
  dataBase64?: string;
  data?: Uint8Array;
  kind?: ArtifactKind | null;
  status?: ArtifactStatus | null;
  authorAgentId?: string | null;
  projectId?: string | null;
  taskId?: string | null;
  statusUpdatedBy?: string | null;
  statusUpdatedAt?: string | null;
}

/** An artifact's content as an attachment: a `data:` URL with its MIME type and file name. */
export interface ArtifactAttachment {
  mime: string;
  url: string;
  filename: string;
}

/**
 * The artifact id inside a `cloud-artifact://<encoded id>/<encoded filename>` reference, or null
 * when `pathOrId` is not such a reference or its id is empty or badly escaped. Never throws.
 */
export function cloudArtifactIdFromFilePath(pathOrId: string): string | null {
  if (typeof pathOrId !== 'string' || !pathOrId.startsWith(CLOUD_ARTIFACT_SCHEME)) return null;
  const rest = pathOrId.slice(CLOUD_ARTIFACT_SCHEME.length);
  const slash = rest.indexOf('/');
  const encoded = slash === -1 ? rest : rest.slice(0, slash);
  try {
    return decodeURIComponent(encoded) || null;
  } catch {
    // A malformed escape such as `%E0%A4%A` throws URIError; the reference is simply not usable.
    return null;
  }
}

/**
 * Base64 of raw bytes without Node's Buffer, so it runs in browsers and workers too. Chunks of a
 * multiple of 3 bytes encode without padding, so their encodings concatenate; chunking also keeps
 * `fromCharCode` under the engine's argument limit.
 */
function bytesToBase64(bytes: Uint8Array): string {
  const chunk = 3 * 8192;
  const parts: string[] = [];
  for (let start = 0; start < bytes.length; start += chunk) {
    const slice = bytes.subarray(start, start + chunk);
    parts.push(btoa(String.fromCharCode.apply(null, slice as unknown as number[])));
  }
  return parts.join('');
}

function requireText(value: unknown, name: string): void {
  if (typeof value !== 'string' || value.trim() === '') throw invalidRequest(`${name} must be a non-empty string.`);
}

function requireOneOf<T>(value: unknown, allowed: readonly T[], name: string, optional = true): void {
  if (optional && value == null) return;
  if (!allowed.includes(value as T)) throw invalidRequest(`${name} must be one of ${allowed.join(', ')}.`);
}

function requireInput(value: unknown, name: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidRequest(`${name} must be an object.`);
  }
}

/** Query strings: absent (undefined or null) or a string; anything else is a caller bug. */
function optionalStrings(values: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(values)) {
    if (value != null && typeof value !== 'string') throw invalidRequest(`${name} must be a string.`);
  }
}

function uploadData(input: ArtifactUploadInput): string {
  const hasBase64 = input.dataBase64 !== undefined;
  if (hasBase64 === (input.data !== undefined)) throw invalidRequest('Give exactly one of dataBase64 and data.');
  if (hasBase64) {
    if (typeof input.dataBase64 !== 'string') throw invalidRequest('dataBase64 must be a string.');
    return input.dataBase64;
  }
  if (!(input.data instanceof Uint8Array)) throw invalidRequest('data must be a Uint8Array.');
  return bytesToBase64(input.data);
}

/** Artifacts: files stored with sessions; list, index, upload, review status and content (wire contract §2.5). */
export function createCloudArtifactsClient(ctx: CloudClientContext) {
  const post = <T>(path: string, body: object, options: CloudCommandOptions = {}) =>
    ctx.request<T>(path, { method: 'POST', body, idempotencyKey: options.idempotencyKey, signal: options.signal });

  return {
    /** `GET /api/sessions/:sid/artifacts` → the session's artifacts. `server` 503 without object storage. */
    async listArtifacts(sessionId: string): Promise<SessionArtifact[]> {
      const path = apiPath`/api/sessions/${sessionId}/artifacts`;
      return (await ctx.request<{ artifacts: SessionArtifact[] }>(path)).artifacts;
    },

    /**
     * `GET /api/artifacts?sessionId&projectId&taskId&taskIds…&kind&status&limit`: artifacts across
     * sessions. `truncated` says the scan stopped before every session was read.
     */
    async indexArtifacts(query: ArtifactIndexQuery = {}): Promise<ArtifactIndexPayload> {
      requireInput(query, 'The artifact index query');
      const { sessionId, projectId, taskId, taskIds, kind, status, limit } = query;
      optionalStrings({ sessionId, projectId, taskId });
      requireOneOf(kind, ARTIFACT_KINDS, 'kind');
      requireOneOf(status, ARTIFACT_STATUSES, 'status');
      if (taskIds !== undefined && !Array.isArray(taskIds)) throw invalidRequest('taskIds must be an array.');
      taskIds?.forEach((id, index) => requireText(id, `taskIds[${index}]`));
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
        throw invalidRequest('limit must be a positive integer.');
      }
      return ctx.request<ArtifactIndexPayload>('/api/artifacts', {
        query: { sessionId, projectId, taskId, taskIds, kind, status, limit },
      });
    },

    /**
     * `POST /api/sessions/:sid/artifacts/:aid/status` → the updated artifact. `conflict` when the
     * status would move backwards (final → draft).
     */
    async updateArtifactStatus(
      input: ArtifactStatusUpdateInput,
      options?: CloudCommandOptions,
    ): Promise<SessionArtifact> {
      requireInput(input, 'The status update');
      const path = apiPath`/api/sessions/${input.sessionId}/artifacts/${input.artifactId}/status`;
      requireOneOf(input.status, ARTIFACT_STATUSES, 'status', false);
      requireOneOf(input.kind, ARTIFACT_KINDS, 'kind');
      const body: ArtifactStatusUpdateBody = {
        status: input.status,
        updatedBy: input.updatedBy ?? null,
        authorAgentId: input.authorAgentId ?? null,
        projectId: input.projectId ?? null,
        taskId: input.taskId ?? null,
        kind: input.kind ?? null,
      };
      return (await post<{ artifact: SessionArtifact }>(path, body, options)).artifact;
    },

    /**
     * `POST /api/sessions/:sid/artifacts` (201) → the stored artifact. Raw bytes in `data` are
     * base64-encoded here. The body cap is 35 MiB (`http` 413 beyond); `server` 503 without
     * object storage.
     */
    async uploadArtifact(
      sessionId: string,
      input: ArtifactUploadInput,
      options?: CloudCommandOptions,
    ): Promise<SessionArtifact> {
      const path = apiPath`/api/sessions/${sessionId}/artifacts`;
      requireInput(input, 'The upload input');
      requireText(input.filename, 'filename');
      requireOneOf(input.kind, ARTIFACT_KINDS, 'kind');
      requireOneOf(input.status, ARTIFACT_STATUSES, 'status');
      const body: ArtifactUploadBody = {
        filename: input.filename,
        contentType: input.contentType ?? null,
        dataBase64: uploadData(input),
        kind: input.kind ?? null,
        status: input.status ?? null,
        authorAgentId: input.authorAgentId ?? null,
        projectId: input.projectId ?? null,
        taskId: input.taskId ?? null,
        statusUpdatedBy: input.statusUpdatedBy ?? null,
        statusUpdatedAt: input.statusUpdatedAt ?? null,
      };
      return (await post<{ artifact: SessionArtifact }>(path, body, options)).artifact;
    },

    /**
     * `GET /api/sessions/:sid/artifacts/:aid` → the content as a `data:` URL. `pathOrId` is an
     * artifact id or a `cloud-artifact://` reference; a malformed reference is a `request` error.
     */
    async readArtifactAttachment(sessionId: string, pathOrId: string): Promise<ArtifactAttachment> {
      const isReference = typeof pathOrId === 'string' && pathOrId.startsWith(CLOUD_ARTIFACT_SCHEME);
      const artifactId = isReference ? cloudArtifactIdFromFilePath(pathOrId) : pathOrId;
      if (artifactId === null) throw invalidRequest(`${pathOrId} is not a valid cloud-artifact reference.`);
      const path = apiPath`/api/sessions/${sessionId}/artifacts/${artifactId}`;
      const { artifact } = await ctx.request<{ artifact: ArtifactWithContent }>(path);
      const mime = artifact.contentType || artifact.mime || 'application/octet-stream';
      return { mime, url: `data:${mime};base64,${artifact.dataBase64}`, filename: artifact.filename };
    },
  };
}

/** The artifacts domain's methods. */
export type CloudArtifactsClient = ReturnType<typeof createCloudArtifactsClient>;
