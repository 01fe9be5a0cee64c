import type { ByokOverrideInput, ByokSecretInput, ByokSecretMetadata, ByokSecretStatus } from '@open-cowork/shared';
import { commandSender, type CloudClientContext, type CloudCommandOptions } from '../core/context.js';
import { apiPath } from '../core/path.js';
import { check, requireObject, requireText } from '../core/validate.js';

export type { ByokOverrideInput, ByokSecretInput, ByokSecretMetadata, ByokSecretStatus };

const SECRET_FIELDS = ['plaintext', 'apiKey', 'key', 'secret', 'kmsRef'] as const;

/** Keeps the one secret field of `input`; anything but exactly one non-empty field is a `request` error. */
function secretBody(input: ByokSecretInput): ByokSecretInput {
  requireObject(input, 'setByokSecret: input');
  const given = SECRET_FIELDS.filter((field) => input[field] !== undefined && input[field] !== null);
  const field = given[0];
  const count = `(got ${given.length})`;
  check(given.length === 1 && field !== undefined, `setByokSecret: give exactly one of ${SECRET_FIELDS.join(', ')} ${count}.`);
  const value = input[field];
  requireText(value, `setByokSecret: ${field}`);
  return { [field]: value };
}

/**
 * Bring-your-own-key provider secrets. The server never returns a secret, only
 * its metadata (`last4`, fingerprint, validation state).
 */
export function createCloudByokClient(ctx: CloudClientContext) {
  const send = commandSender(ctx);

  type SecretAnswer = { secret: ByokSecretMetadata | null };

  return {
    /** `GET /api/byok` → `.secrets`. */
    async listByokSecrets(): Promise<ByokSecretMetadata[]> {
      return (await ctx.request<{ secrets: ByokSecretMetadata[] }>('/api/byok')).secrets;
    },

    /** `GET /api/byok/:providerId` → the secret's metadata, or `null` when none is configured. */
    async getByokSecret(providerId: string): Promise<ByokSecretMetadata | null> {
      return (await ctx.request<SecretAnswer>(apiPath`/api/byok/${providerId}`)).secret ?? null;
    },

    /**
     * `POST /api/byok/:providerId` with exactly one of `plaintext`/`apiKey`/`key`/`secret`, or a
     * `kmsRef` → the stored secret's metadata (status `pending_validation` until validated).
     */
    async setByokSecret(providerId: string, input: ByokSecretInput, options: CloudCommandOptions = {}): Promise<ByokSecretMetadata> {
      const path = apiPath`/api/byok/${providerId}`;
      const body = secretBody(input);
      return (await send<{ secret: ByokSecretMetadata }>('POST', path, body, options)).secret;
    },

    /** `POST /api/byok/:providerId/validate` (no body at all) → the secret with its new status. */
    async validateByokSecret(providerId: string, options: CloudCommandOptions = {}): Promise<ByokSecretMetadata> {
      const path = apiPath`/api/byok/${providerId}/validate`;
      return (await send<{ secret: ByokSecretMetadata }>('POST', path, undefined, options)).secret;
    },

    /** `POST /api/byok/:providerId/override` with a required `reason`: accept a secret whose validation failed. */
    async overrideByokSecretValidation(
      providerId: string,
      input: ByokOverrideInput,
      options: CloudCommandOptions = {},
    ): Promise<ByokSecretMetadata> {
      const path = apiPath`/api/byok/${providerId}/override`;
      requireText(input?.reason, 'overrideByokSecretValidation: reason');
      const body = { reason: input.reason };
      return (await send<{ secret: ByokSecretMetadata }>('POST', path, body, options)).secret;
    },

    /**
     * `DELETE /api/byok/:providerId`. A **soft disable**: the record stays, with status `disabled`.
     * Returns the disabled secret, or `null` when there was nothing to disable.
     */
    async deleteByokSecret(providerId: string, options: CloudCommandOptions = {}): Promise<ByokSecretMetadata | null> {
      const path = apiPath`/api/byok/${providerId}`;
      return (await send<SecretAnswer>('DELETE', path, undefined, options)).secret ?? null;
    },
  };
}

export type CloudByokClient = ReturnType<typeof createCloudByokClient>;
