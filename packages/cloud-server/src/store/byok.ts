import type { ByokSecretMetadata, ByokSecretStatus } from '@open-cowork/shared';
import { newId } from '../ids.js';
import type { Queryable } from './db.js';
import { iso, isoOrNull } from './rows.js';

/** The encrypted form of a plaintext secret (AES-256-GCM, all base64). */
export interface SealedSecret {
  ciphertext: string;
  iv: string;
  authTag: string;
  keyId: string;
}

export interface StoredByokSecret {
  metadata: ByokSecretMetadata;
  sealed: SealedSecret | null;
  kmsRef: string | null;
  overrideReason: string | null;
}

export interface ByokPutInput {
  orgId: string;
  providerId: string;
  credentialKind: 'plaintext' | 'kms_ref';
  sealed: SealedSecret | null;
  kmsRef: string | null;
  last4: string | null;
  keyFingerprint: string;
  createdBy: string | null;
}

interface ByokRow {
  secret_id: string;
  provider_id: string;
  status: ByokSecretStatus;
  credential_kind: 'plaintext' | 'kms_ref';
  ciphertext: string | null;
  iv: string | null;
  auth_tag: string | null;
  key_id: string | null;
  kms_ref: string | null;
  last4: string | null;
  key_fingerprint: string | null;
  last_validated_at: Date | string | null;
  validation_error: string | null;
  override_reason: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

const COLUMNS = `secret_id, provider_id, status, credential_kind, ciphertext, iv, auth_tag, key_id, kms_ref, last4,
  key_fingerprint, last_validated_at, validation_error, override_reason, created_at, updated_at`;

const toStored = (row: ByokRow): StoredByokSecret => ({
  metadata: {
    secretId: row.secret_id,
    providerId: row.provider_id,
    status: row.status,
    credentialKind: row.credential_kind,
    last4: row.last4,
    keyFingerprint: row.key_fingerprint,
    lastValidatedAt: isoOrNull(row.last_validated_at),
    validationError: row.validation_error,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  },
  sealed:
    row.ciphertext && row.iv && row.auth_tag && row.key_id
      ? { ciphertext: row.ciphertext, iv: row.iv, authTag: row.auth_tag, keyId: row.key_id }
      : null,
  kmsRef: row.kms_ref,
  overrideReason: row.override_reason,
});

/** BYOK provider secrets, one per (org, provider). Only this module touches the ciphertext columns. */
export function createByokStore() {
  return {
    async get(q: Queryable, orgId: string, providerId: string): Promise<StoredByokSecret | null> {
      const { rows } = await q.query<ByokRow>(`SELECT ${COLUMNS} FROM byok_secrets WHERE org_id = $1 AND provider_id = $2`, [
        orgId,
        providerId,
      ]);
      return rows[0] ? toStored(rows[0]) : null;
    },

    /** The same, locked for the rest of the transaction `tx`. */
    async lock(tx: Queryable, orgId: string, providerId: string): Promise<StoredByokSecret | null> {
      const { rows } = await tx.query<ByokRow>(`SELECT ${COLUMNS} FROM byok_secrets WHERE org_id = $1 AND provider_id = $2 FOR UPDATE`, [
        orgId,
        providerId,
      ]);
      return rows[0] ? toStored(rows[0]) : null;
    },

    /** Metadata of every secret of the org, by provider id. */
    async list(q: Queryable, orgId: string): Promise<ByokSecretMetadata[]> {
      const { rows } = await q.query<ByokRow>(`SELECT ${COLUMNS} FROM byok_secrets WHERE org_id = $1 ORDER BY provider_id`, [orgId]);
      return rows.map((row) => toStored(row).metadata);
    },

    /**
     * Stores a new secret for the provider, replacing any earlier one (which keeps its id and
     * `createdAt`): status back to `pending_validation`, validation and override cleared.
     */
    async put(q: Queryable, input: ByokPutInput): Promise<StoredByokSecret> {
      const now = new Date().toISOString();
      const { rows } = await q.query<ByokRow>(
        `INSERT INTO byok_secrets (secret_id, org_id, provider_id, status, credential_kind, ciphertext, iv, auth_tag, key_id,
                                   kms_ref, last4, key_fingerprint, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, 'pending_validation', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
         ON CONFLICT (org_id, provider_id) DO UPDATE SET
           status = 'pending_validation', credential_kind = excluded.credential_kind, ciphertext = excluded.ciphertext,
           iv = excluded.iv, auth_tag = excluded.auth_tag, key_id = excluded.key_id, kms_ref = excluded.kms_ref,
           last4 = excluded.last4, key_fingerprint = excluded.key_fingerprint, created_by = excluded.created_by,
           last_validated_at = NULL, validation_error = NULL, override_reason = NULL, updated_at = excluded.updated_at
         RETURNING ${COLUMNS}`,
        [
          newId('byok'),
          input.orgId,
          input.providerId,
          input.credentialKind,
          input.sealed?.ciphertext ?? null,
          input.sealed?.iv ?? null,
          input.sealed?.authTag ?? null,
          input.sealed?.keyId ?? null,
          input.kmsRef,
          input.last4,
          input.keyFingerprint,
          input.createdBy,
          now,
        ],
      );
      return toStored(rows[0]!);
    },

    /** Sets the status (and the validation outcome or override reason that explain it). */
    async setStatus(
      q: Queryable,
      orgId: string,
      providerId: string,
      patch: {
        status: ByokSecretStatus;
        validationError?: string | null;
        validated?: boolean;
        overrideReason?: string | null;
        wipe?: boolean;
      },
    ): Promise<StoredByokSecret | null> {
      const { rows } = await q.query<ByokRow>(
        `UPDATE byok_secrets SET
           status = $3,
           validation_error = CASE WHEN $4::boolean THEN $5 ELSE validation_error END,
           last_validated_at = CASE WHEN $4::boolean THEN $6::timestamptz ELSE last_validated_at END,
           override_reason = CASE WHEN $7::text IS NULL THEN override_reason ELSE $7 END,
           ciphertext = CASE WHEN $8::boolean THEN NULL ELSE ciphertext END,
           iv = CASE WHEN $8::boolean THEN NULL ELSE iv END,
           auth_tag = CASE WHEN $8::boolean THEN NULL ELSE auth_tag END,
           kms_ref = CASE WHEN $8::boolean THEN NULL ELSE kms_ref END,
           updated_at = $6::timestamptz
         WHERE org_id = $1 AND provider_id = $2
         RETURNING ${COLUMNS}`,
        [
          orgId,
          providerId,
          patch.status,
          patch.validated === true,
          patch.validationError ?? null,
          new Date().toISOString(),
          patch.overrideReason ?? null,
          patch.wipe === true,
        ],
      );
      return rows[0] ? toStored(rows[0]) : null;
    },
  };
}
