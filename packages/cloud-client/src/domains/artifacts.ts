import {
  ARTIFACT_KINDS,
  ARTIFACT_STATUSES,
  CLOUD_ARTIFACT_SCHEME,
  type ArtifactIndexPayload,
  type ArtifactIndexQuery,
  type ArtifactStatusUpdateBody,
  type ArtifactUploadBody,
  type ArtifactWithContent,
  type PublicArtifact,
} from '@open-cowork/shared';
import { commandSender, type CloudClientContext, type CloudCommandOptions } from '../core/context.js';
import { apiPath } from '../core/path.js';
import {
  check,
  optionalOneOf,
  optionalPositiveInteger,
  optionalStrings,
  requireArray,
  requireObject,
  requireOneOf,
  requireText,
} from '../core/validate.js';

/** An artifact of a session, as the API lists it. */
export type SessionArtifact = PublicArtifact;

/** Filters of `indexArtifacts`; all optional. */
export type { ArtifactIndexQuery };

/** Input of `updateArtifactStatus`: the body, and the artifact it is for. Absent optional fields are sent as null. */
export type ArtifactStatusUpdateInput = ArtifactStatusUpdateBody & { sessionId: string; artifactId: string };

/** Input of `uploadArtifact`: the content as `dataBase64` or as raw bytes in `data`, not both. */
export type ArtifactUploadInput = Omit<ArtifactUploadBody, 'dataBase64'> & { dataBase64?: string; data?: Uint8Array };

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

function uploadData(input: ArtifactUploadInput): string {
  const hasBase64 = input.dataBase64 !== undefined;
  check(hasBase64 !== (input.data !== undefined), 'Give exactly one of dataBase64 and data.');
  if (hasBase64) {
    check(typeof input.dataBase64 === 'string', 'dataBase64 must be a string.');
    return input.dataBase64;
  }
  check(input.data instanceof Uint8Array, 'data must be a Uint8Array.');
  return bytesToBase64(input.data);
}

/**
 * Reads one artifact's content as an attachment from the route `pathOf(artifactId)` gives (the
 * session route here, the channel-session route in the channels domain). `pathOrId` is an artifact
 * id or a `cloud-artifact://` reference; a malformed reference is a `request` error.
 */
export async function readAttachment(
  ctx: CloudClientContext,
  pathOrId: string,
  pathOf: (artifactId: string) => string,
): Promise<ArtifactAttachment> {
  const isReference = typeof pathOrId === 'string' && pathOrId.startsWith(CLOUD_ARTIFACT_SCHEME);
  const artifactId = isReference ? cloudArtifactIdFromFilePath(pathOrId) : pathOrId;
  check(artifactId !== null, `${pathOrId} is not a valid cloud-artifact reference.`);
  const { artifact } = await ctx.request<{ artifact: ArtifactWithContent }>(pathOf(artifactId));
  const mime = artifact.contentType || artifact.mime || 'application/octet-stream';
  return { mime, url: `data:${mime};base64,${artifact.dataBase64}`, filename: artifact.filename };
}

/** Artifacts: files stored with sessions; list, index, upload, review status and content. */
export function createCloudArtifactsClient(ctx: CloudClientContext) {
  const send = commandSender(ctx);

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
      requireObject(query, 'The artifact index query');
      const { sessionId, projectId, taskId, taskIds, kind, status, limit } = query;
      optionalStrings({ sessionId, projectId, taskId });
      optionalOneOf(kind ?? undefined, ARTIFACT_KINDS, 'kind');
      optionalOneOf(status ?? undefined, ARTIFACT_STATUSES, 'status');
      if (taskIds !== undefined) requireArray(taskIds, 'taskIds');
      taskIds?.forEach((id, index) => requireText(id, `taskIds[${index}]`));
      optionalPositiveInteger(limit, 'limit');
      return ctx.request<ArtifactIndexPayload>('/api/artifacts', {
        query: { sessionId, projectId, taskId, taskIds, kind, status, limit },
      });
    },

    /**
     * `POST /api/sessions/:sid/artifacts/:aid/status` → the updated artifact. `conflict` when the
     * status would move backwards (final → draft).
     */
    async updateArtifactStatus(input: ArtifactStatusUpdateInput, options?: CloudCommandOptions): Promise<SessionArtifact> {
      requireObject(input, 'The status update');
      const path = apiPath`/api/sessions/${input.sessionId}/artifacts/${input.artifactId}/status`;
      requireOneOf(input.status, ARTIFACT_STATUSES, 'status');
      optionalOneOf(input.kind ?? undefined, ARTIFACT_KINDS, 'kind');
      const body: ArtifactStatusUpdateBody = {
        status: input.status,
        updatedBy: input.updatedBy ?? null,
        authorAgentId: input.authorAgentId ?? null,
        projectId: input.projectId ?? null,
        taskId: input.taskId ?? null,
        kind: input.kind ?? null,
      };
      return (await send<{ artifact: SessionArtifact }>('POST', path, body, options)).artifact;
    },

    /**
     * `POST /api/sessions/:sid/artifacts` (201) → the stored artifact. Raw bytes in `data` are
     * base64-encoded here. The body cap is 35 MiB (`http` 413 beyond); `server` 503 without
     * object storage.
     */
    async uploadArtifact(sessionId: string, input: ArtifactUploadInput, options?: CloudCommandOptions): Promise<SessionArtifact> {
      const path = apiPath`/api/sessions/${sessionId}/artifacts`;
      requireObject(input, 'The upload input');
      requireText(input.filename, 'filename');
      optionalOneOf(input.kind ?? undefined, ARTIFACT_KINDS, 'kind');
      optionalOneOf(input.status ?? undefined, ARTIFACT_STATUSES, 'status');
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
      return (await send<{ artifact: SessionArtifact }>('POST', path, body, options)).artifact;
    },

    /**
     * `GET /api/sessions/:sid/artifacts/:aid` → the content as a `data:` URL. `pathOrId` is an
     * artifact id or a `cloud-artifact://` reference; a malformed reference is a `request` error.
     */
    async readArtifactAttachment(sessionId: string, pathOrId: string): Promise<ArtifactAttachment> {
      return readAttachment(ctx, pathOrId, (artifactId) => apiPath`/api/sessions/${sessionId}/artifacts/${artifactId}`);
    },
  };
}

/** The artifacts domain's methods. */
export type CloudArtifactsClient = ReturnType<typeof createCloudArtifactsClient>;
