/** Bring-your-own-key provider secret records and inputs: their schemas are in `schemas/byok.ts`. */

import type { Static } from '@sinclair/typebox';
import type * as S from './schemas/byok.js';

export const BYOK_SECRET_STATUSES = ['pending_validation', 'active', 'disabled', 'expired', 'invalid', 'unsupported'] as const;
export type ByokSecretStatus = (typeof BYOK_SECRET_STATUSES)[number];

/** Metadata of a provider secret. The secret itself is never returned, only `last4` and a fingerprint. */
export type ByokSecretMetadata = Static<typeof S.ByokSecretMetadataSchema>;

/**
 * Body of `POST /api/byok/:providerId`: exactly one of the four plaintext aliases, or a `kmsRef`
 * (a reference the server resolves in its key manager). Anything else is a 400.
 */
export type ByokSecretInput = Static<typeof S.SetSecretBody>;

/** Body of `POST /api/byok/:providerId/override`: why the failed validation is overridden (kept in the audit log). */
export type ByokOverrideInput = Static<typeof S.OverrideBody>;
