import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { byok as byokSchemas } from '@open-cowork/shared/schemas';
import type { Static } from '@sinclair/typebox';
import { type AccountConfig, parseByokKey } from '../account-config.js';
import type { Principal } from '../auth/principal.js';
import { httpError } from '../errors.js';
import type { SealedSecret, StoredByokSecret } from '../store/byok.js';
import type { Db, Queryable } from '../store/db.js';
import type { Stores } from '../store/stores.js';
import type { AuditService } from './audit.js';
import type { BillingService } from './billing.js';

/**
 * Encryption of BYOK provider secrets. One configured 32-byte key; three keys are derived from it
 * with HKDF so that the encryption key, the fingerprint key and the key id are unrelated:
 * - secrets are AES-256-GCM encrypted with a random 96-bit IV, bound to (org, provider) as
 *   additional data, so a ciphertext copied to another row does not decrypt;
 * - `keyFingerprint` is an HMAC of the secret: equal secrets have equal fingerprints under one
 *   server key, but the fingerprint says nothing about the secret to anyone without that key;
 * - `keyId` names the key a ciphertext was made with, so a key change is detected, not misread.
 */
export function createByokCipher(configuredKey: string) {
  const master = parseByokKey(configuredKey);
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `open-cowork byok ${info}`, 32));
  const encryptionKey = derive('encryption');
  const fingerprintKey = derive('fingerprint');
  const keyId = derive('key-id').toString('hex').slice(0, 16);
  const aad = (orgId: string, providerId: string) => Buffer.from(`${orgId}\n${providerId}`);

  return {
    keyId,

    seal(orgId: string, providerId: string, plaintext: string): SealedSecret {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', encryptionKey, iv);
      cipher.setAAD(aad(orgId, providerId));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return {
        ciphertext: ciphertext.toString('base64'),
        iv: iv.toString('base64'),
        authTag: cipher.getAuthTag().toString('base64'),
        keyId,
      };
    },

    /** The plaintext, or null when it was sealed with another key or was tampered with. */
    open(orgId: string, providerId: string, sealed: SealedSecret): string | null {
      if (sealed.keyId !== keyId) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', encryptionKey, Buffer.from(sealed.iv, 'base64'));
        decipher.setAAD(aad(orgId, providerId));
        decipher.setAuthTag(Buffer.from(sealed.authTag, 'base64'));
        return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]).toString('utf8');
      } catch {
        return null;
      }
    },

    fingerprint(value: string): string {
      return `hmac-sha256:${createHmac('sha256', fingerprintKey).update(value).digest('hex').slice(0, 32)}`;
    },
  };
}

/**
 * The decrypted secret of an org's active BYOK key for a provider, or null (none, not active,
 * a KMS reference, or no server key). Only a runtime calls this, to hand the key to its model.
 */
export function createProviderKeys({ db, store, serverKey }: { db: Queryable; store: Stores['byok']; serverKey: string | null }) {
  const cipher = serverKey ? createByokCipher(serverKey) : null;
  return async (orgId: string, providerId: string): Promise<string | null> => {
    const stored = await store.get(db, orgId, providerId);
    if (!cipher || !stored?.sealed || stored.metadata.status !== 'active') return null;
    return cipher.open(orgId, providerId, stored.sealed);
  };
}

/** Key formats of well-known providers; other providers only get the generic checks. */
const PROVIDER_FORMATS: Record<string, { pattern: RegExp; hint: string }> = {
  openai: { pattern: /^sk-[A-Za-z0-9_-]{20,}$/, hint: 'OpenAI keys start with "sk-"' },
  anthropic: { pattern: /^sk-ant-[A-Za-z0-9_-]{20,}$/, hint: 'Anthropic keys start with "sk-ant-"' },
  openrouter: { pattern: /^sk-or-[A-Za-z0-9_-]{20,}$/, hint: 'OpenRouter keys start with "sk-or-"' },
  google: { pattern: /^AIza[0-9A-Za-z_-]{35}$/, hint: 'Google AI keys start with "AIza" and have 39 characters' },
  gemini: { pattern: /^AIza[0-9A-Za-z_-]{35}$/, hint: 'Gemini keys start with "AIza" and have 39 characters' },
  groq: { pattern: /^gsk_[A-Za-z0-9]{20,}$/, hint: 'Groq keys start with "gsk_"' },
  mistral: { pattern: /^[A-Za-z0-9]{32}$/, hint: 'Mistral keys have 32 letters and digits' },
};

/**
 * A deterministic local validation: the server never calls a provider, it checks what can be
 * known offline. Null when the secret looks right, else why not.
 */
export function validateProviderSecret(providerId: string, secret: string): string | null {
  if (/\s/.test(secret)) return 'The key contains whitespace.';
  if (secret.length < 16) return 'The key is too short to be a provider API key.';
  if (secret.length > 512) return 'The key is too long to be a provider API key.';
  const format = PROVIDER_FORMATS[providerId];
  if (format && !format.pattern.test(secret)) return `The key does not have the expected format: ${format.hint}.`;
  return null;
}

type SetSecretBody = Static<typeof byokSchemas.SetSecretBody>;

const PLAINTEXT_FIELDS = ['plaintext', 'apiKey', 'key', 'secret'] as const;

export interface ByokServiceDeps {
  db: Db;
  store: Stores['byok'];
  audit: AuditService;
  billing: BillingService;
  config: AccountConfig['byok'];
}

/**
 * Bring-your-own-key provider secrets of an org. Secrets are encrypted at rest and never leave the
 * server: every answer carries metadata only. A secret is `active`, `invalid` (its last validation
 * failed) or `disabled` (soft-deleted, ciphertext wiped); changes need the `byok` entitlement.
 */
export function createByokService({ db, store, audit, billing, config }: ByokServiceDeps) {
  const cipher = config.key ? createByokCipher(config.key) : null;

  /** Keyed like plaintext secrets when a key exists; KMS references are not secret themselves. */
  const fingerprintOf = (value: string) => (cipher ? cipher.fingerprint(value) : `ref:${value.slice(-8)}`);
  const kmsRefAllowed = (kmsRef: string) => config.kmsRefPrefixes.some((prefix) => kmsRef.startsWith(prefix));

  /** The secret of `providerId`, locked for the change of `tx`; 404 when none, 409 when disabled. */
  const usable = async (tx: Queryable, orgId: string, providerId: string): Promise<StoredByokSecret> => {
    const stored = await store.lock(tx, orgId, providerId);
    if (!stored) throw httpError('byok.secret_not_found', `No secret is stored for provider "${providerId}".`);
    if (stored.metadata.status === 'disabled') {
      throw httpError('byok.secret_disabled', 'This secret is disabled; store a new one to use the provider again.');
    }
    return stored;
  };

  /** What `body` stores: a KMS reference as given, or the plaintext key sealed under the server key. */
  const credentialOf = (orgId: string, providerId: string, body: SetSecretBody) => {
    const kmsRef = body.kmsRef ?? null;
    if (kmsRef !== null) {
      if (config.kmsRefPrefixes.length === 0) {
        throw httpError('byok.kms_not_supported', 'KMS references are not configured on this server; send the key itself.');
      }
      if (!kmsRefAllowed(kmsRef))
        throw httpError('byok.kms_ref_not_allowed', 'This KMS reference does not start with a configured prefix.');
      return { credentialKind: 'kms_ref' as const, sealed: null, kmsRef, last4: null, keyFingerprint: fingerprintOf(kmsRef) };
    }
    if (!cipher) throw httpError('byok.key_not_configured', 'No BYOK encryption key is configured (OPEN_COWORK_BYOK_KEY).');
    const plaintext = (body.plaintext ?? body.apiKey ?? body.key ?? body.secret)!.trim();
    if (plaintext === '') throw httpError('byok.secret_required', 'The secret must not be blank.');
    return {
      credentialKind: 'plaintext' as const,
      sealed: cipher.seal(orgId, providerId, plaintext),
      kmsRef: null,
      last4: plaintext.slice(-4),
      keyFingerprint: cipher.fingerprint(plaintext),
    };
  };

  return {
    list: async (orgId: string) => ({ secrets: await store.list(db, orgId) }),

    get: async (orgId: string, providerId: string) => ({ secret: (await store.get(db, orgId, providerId))?.metadata ?? null }),

    /** Stores (or replaces) the org's secret for a provider: exactly one of the key fields or `kmsRef`. */
    async set(actor: Principal, providerId: string, body: SetSecretBody) {
      if (config.allowedProviderIds && !config.allowedProviderIds.includes(providerId)) {
        throw httpError('byok.provider_not_allowed', `Provider "${providerId}" is not allowed on this server.`);
      }
      const given = [...PLAINTEXT_FIELDS, 'kmsRef' as const].filter((field) => body[field] !== undefined);
      if (given.length !== 1) {
        throw httpError('byok.secret_required', `Give exactly one of plaintext, apiKey, key, secret or kmsRef (got ${given.length}).`);
      }
      billing.requireEntitlement(actor, 'byok');
      const credential = credentialOf(actor.orgId, providerId, body);
      const stored = await db.transaction(async (tx) => {
        const put = await store.put(tx, { orgId: actor.orgId, providerId, ...credential, createdBy: actor.userId });
        const { credentialKind, last4 } = put.metadata;
        await audit.record(tx, actor, {
          action: 'byok_secret.set',
          targetType: 'byok_secret',
          targetId: providerId,
          metadata: credentialKind === 'plaintext' ? { credentialKind, last4 } : { credentialKind },
        });
        return put;
      });
      return { secret: stored.metadata };
    },

    /** Checks the stored secret offline (`validateProviderSecret`): `active` when it passes, else `invalid` with why. */
    async validate(actor: Principal, providerId: string) {
      billing.requireEntitlement(actor, 'byok');
      const secret = await db.transaction(async (tx) => {
        const stored = await usable(tx, actor.orgId, providerId);
        let problem: string | null;
        if (stored.kmsRef !== null) {
          problem = kmsRefAllowed(stored.kmsRef) ? null : 'The KMS reference no longer matches a configured prefix.';
        } else {
          const plaintext = stored.sealed && cipher ? cipher.open(actor.orgId, providerId, stored.sealed) : null;
          problem =
            plaintext === null
              ? 'The secret cannot be decrypted with the current BYOK key; store it again.'
              : validateProviderSecret(providerId, plaintext);
        }
        const updated = (await store.setStatus(tx, actor.orgId, providerId, {
          status: problem ? 'invalid' : 'active',
          validated: true,
          validationError: problem,
        }))!;
        await audit.record(tx, actor, {
          action: 'byok_secret.validated',
          targetType: 'byok_secret',
          targetId: providerId,
          metadata: { status: updated.metadata.status },
        });
        return updated.metadata;
      });
      return { secret, validated: secret.status === 'active' };
    },

    /** An admin vouches for a secret that failed validation: it becomes `active`, with the reason kept. */
    async override(actor: Principal, providerId: string, givenReason: string) {
      const reason = givenReason.trim();
      billing.requireEntitlement(actor, 'byok');
      return db.transaction(async (tx) => {
        const stored = await usable(tx, actor.orgId, providerId);
        if (stored.metadata.status === 'active') return { secret: stored.metadata, overridden: false };
        const updated = (await store.setStatus(tx, actor.orgId, providerId, { status: 'active', overrideReason: reason }))!;
        await audit.record(tx, actor, {
          action: 'byok_secret.validation_overridden',
          targetType: 'byok_secret',
          targetId: providerId,
          metadata: { reason, previousStatus: stored.metadata.status },
        });
        return { secret: updated.metadata, overridden: true };
      });
    },

    /** A soft disable: the record and its metadata stay; the ciphertext goes. Disabling twice changes nothing. */
    disable(actor: Principal, providerId: string) {
      return db.transaction(async (tx) => {
        const stored = await store.lock(tx, actor.orgId, providerId);
        if (!stored || stored.metadata.status === 'disabled') return { secret: null, disabled: false };
        const updated = (await store.setStatus(tx, actor.orgId, providerId, { status: 'disabled', wipe: true }))!;
        await audit.record(tx, actor, { action: 'byok_secret.disabled', targetType: 'byok_secret', targetId: providerId });
        return { secret: updated.metadata, disabled: true };
      });
    },
  };
}

export type ByokService = ReturnType<typeof createByokService>;
