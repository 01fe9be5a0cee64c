/** Bring-your-own-key provider secret records and inputs. */

export type ByokSecretStatus = 'pending_validation' | 'active' | 'disabled' | 'expired' | 'invalid' | 'unsupported';

/** Metadata of a provider secret. The secret itself is never returned, only `last4` and a fingerprint. */
export interface ByokSecretMetadata {
  secretId: string;
  providerId: string;
  status: ByokSecretStatus;
  credentialKind?: 'plaintext' | 'kms_ref';
  last4: string | null;
  keyFingerprint: string | null;
  /** ISO 8601. */
  lastValidatedAt: string | null;
  validationError: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * Body of `POST /api/byok/:providerId`: exactly one of the four plaintext aliases, or a `kmsRef`
 * (a reference the server resolves in its key manager). Anything else is a 400.
 */
export interface ByokSecretInput {
  plaintext?: string;
  apiKey?: string;
  key?: string;
  secret?: string;
  kmsRef?: string;
}

/** Body of `POST /api/byok/:providerId/override`. */
export interface ByokOverrideInput {
  /** Why the failed validation is overridden; kept in the audit log. Required. */
  reason: string;
}
