import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { parseByokKey } from '../account-config.js';
import type { Queryable } from '../store/db.js';
import { createByokStore, type SealedSecret } from '../store/byok.js';

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
export function createProviderKeys(db: Queryable, serverKey: string | null) {
  const store = createByokStore();
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
