/**
 * Session artifacts: files an agent or a user stored with a session.
 */

/** What an artifact is, for grouping in the UI. */
export type ArtifactKind = 'document' | 'chart' | 'deck' | 'spreadsheet' | 'draft';

export const ARTIFACT_KINDS: readonly ArtifactKind[] = ['document', 'chart', 'deck', 'spreadsheet', 'draft'];

/** Review state; it only moves forward (draft → in-review → final), else 409. */
export type ArtifactStatus = 'draft' | 'in-review' | 'final';

export const ARTIFACT_STATUSES: readonly ArtifactStatus[] = ['draft', 'in-review', 'final'];

/** Scheme of the `filePath` of a cloud artifact: `cloud-artifact://<encoded id>/<encoded filename>`. */
export const CLOUD_ARTIFACT_SCHEME = 'cloud-artifact://';

/** An artifact as the API shows it (the object-store key is never included). */
export interface PublicArtifact {
  artifactId: string;
  /** Same as `artifactId`. */
  id: string;
  toolId: 'cloud-artifact';
  toolName: 'cloud.artifact';
  /** `cloud-artifact://<encoded id>/<encoded filename>`. */
  filePath: string;
  filename: string;
  order: number;
  source: 'cloud';
  /** Same as `artifactId`. */
  cloudArtifactId: string;
  sessionId: string;
  sessionTitle: string | null;
  /** `cloud:<tenantId>`. */
  workspaceId: string;
  mime: string;
  /** Same as `mime`. */
  contentType: string;
  size: number;
  createdAt: string;
  updatedAt: string;
  kind: ArtifactKind;
  status: ArtifactStatus;
  authorAgentId: string | null;
  projectId: string | null;
  taskId: string | null;
  statusUpdatedBy: string | null;
  statusUpdatedAt: string | null;
}

/** An artifact with its content, from `GET /api/sessions/:sid/artifacts/:aid`. */
export interface ArtifactWithContent extends PublicArtifact {
  dataBase64: string;
}

/** Body of `GET /api/artifacts`. */
export interface ArtifactIndexPayload {
  artifacts: PublicArtifact[];
  total: number;
  scannedSessions: number;
  /** True when the scan stopped at its limit before every session was read. */
  truncated: boolean;
}

/** Body of `POST /api/sessions/:sid/artifacts` (35 MiB cap). Absent fields are sent as null. */
export interface ArtifactUploadBody {
  filename: string;
  contentType: string | null;
  dataBase64: string;
  kind: ArtifactKind | null;
  status: ArtifactStatus | null;
  authorAgentId: string | null;
  projectId: string | null;
  taskId: string | null;
  statusUpdatedBy: string | null;
  statusUpdatedAt: string | null;
}

/** Body of `POST /api/sessions/:sid/artifacts/:aid/status`. Absent fields are sent as null. */
export interface ArtifactStatusUpdateBody {
  status: ArtifactStatus;
  updatedBy: string | null;
  authorAgentId: string | null;
  projectId: string | null;
  taskId: string | null;
  kind: ArtifactKind | null;
}
