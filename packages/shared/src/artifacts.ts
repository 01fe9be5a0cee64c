/**
 * Session artifacts: files an agent or a user stored with a session. Their schemas are in
 * `schemas/artifacts.ts`.
 */

import type { Static } from '@sinclair/typebox';
import type * as S from './schemas/artifacts.js';

/** What an artifact is, for grouping in the UI. */
export const ARTIFACT_KINDS = ['document', 'chart', 'deck', 'spreadsheet', 'draft'] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

/** Review state; it only moves forward (draft → in-review → final), else 409. */
export const ARTIFACT_STATUSES = ['draft', 'in-review', 'final'] as const;
export type ArtifactStatus = (typeof ARTIFACT_STATUSES)[number];

/** Scheme of the `filePath` of a cloud artifact: `cloud-artifact://<encoded id>/<encoded filename>`. */
export const CLOUD_ARTIFACT_SCHEME = 'cloud-artifact://';

/** An artifact as the API shows it (the object-store key is never included). */
export type PublicArtifact = Static<typeof S.PublicArtifact>;
/** An artifact with its content, from `GET /api/sessions/:sid/artifacts/:aid`. */
export type ArtifactWithContent = Static<typeof S.ArtifactContentResponse>['artifact'];
/** Body of `GET /api/artifacts`. */
export type ArtifactIndexPayload = Static<typeof S.ArtifactIndexResponse>;
/** Query of `GET /api/artifacts`; `taskIds` (at most 128) is sent repeated. */
export type ArtifactIndexQuery = Static<typeof S.ArtifactIndexQuery>;
/** Body of `POST /api/sessions/:sid/artifacts` (35 MiB cap). */
export type ArtifactUploadBody = Static<typeof S.ArtifactUploadBody>;
/** Body of `POST /api/sessions/:sid/artifacts/:aid/status`. */
export type ArtifactStatusUpdateBody = Static<typeof S.ArtifactStatusBody>;
