import { byok as byokSchemas } from '@open-cowork/shared/schemas';
import type { ByokSecretMetadata } from '@open-cowork/shared';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { httpError } from '../errors.js';
import { createByokCipher, validateProviderSecret } from '../services/byok.js';
import type { StoredByokSecret } from '../store/byok.js';

const {
  DisableResponse,
  OverrideBody,
  OverrideResponse,
  ProviderParams,
  SecretListResponse,
  SecretResponse,
  SetSecretBody,
  SetSecretResponse,
  ValidateResponse,
} = byokSchemas;

type ProviderRequest = FastifyRequest<{ Params: Static<typeof ProviderParams> }>;

const PLAINTEXT_FIELDS = ['plaintext', 'apiKey', 'key', 'secret'] as const;

/**
 * Bring-your-own-key provider secrets. Secrets are encrypted at rest and never
 * leave the server: every answer carries metadata only. Reads are for members, changes for admins.
 */
export async function byokRoutes(app: FastifyInstance) {
  const store = app.stores.byok;
  const { byok } = app.config;
  const cipher = byok.key ? createByokCipher(byok.key) : null;
  const member = { access: 'member' as const };
  const admin = { access: 'admin' as const };

  const allowedProvider = (request: ProviderRequest) => {
    const { providerId } = request.params;
    if (byok.allowedProviderIds && !byok.allowedProviderIds.includes(providerId)) {
      throw httpError('byok.provider_not_allowed', `Provider "${providerId}" is not allowed on this server.`);
    }
    return providerId;
  };

  const existing = async (orgId: string, providerId: string, tx?: Parameters<typeof store.lock>[0]): Promise<StoredByokSecret> => {
    const stored = tx ? await store.lock(tx, orgId, providerId) : await store.get(app.db, orgId, providerId);
    if (!stored) throw httpError('byok.secret_not_found', `No secret is stored for provider "${providerId}".`);
    return stored;
  };

  const notDisabled = (stored: StoredByokSecret) => {
    if (stored.metadata.status === 'disabled') {
      throw httpError('byok.secret_disabled', 'This secret is disabled; store a new one to use the provider again.');
    }
  };

  app.get('/api/byok', { config: member, schema: { response: { 200: SecretListResponse } } }, async (request) => ({
    secrets: await store.list(app.db, request.principal.orgId),
  }));

  app.get<{ Params: Static<typeof ProviderParams> }>(
    '/api/byok/:providerId',
    { config: member, schema: { params: ProviderParams, response: { 200: SecretResponse } } },
    async (request) => ({ secret: (await store.get(app.db, request.principal.orgId, request.params.providerId))?.metadata ?? null }),
  );

  app.post<{ Params: Static<typeof ProviderParams>; Body: Static<typeof SetSecretBody> }>(
    '/api/byok/:providerId',
    { config: admin, schema: { params: ProviderParams, body: SetSecretBody, response: { 201: SetSecretResponse } } },
    async (request, reply) => {
      const { principal, body } = request;
      const providerId = allowedProvider(request);
      const given = [...PLAINTEXT_FIELDS, 'kmsRef' as const].filter((field) => body[field] !== undefined);
      if (given.length !== 1) {
        throw httpError('byok.secret_required', `Give exactly one of plaintext, apiKey, key, secret or kmsRef (got ${given.length}).`);
      }
      app.billing.requireEntitlement(principal, 'byok');
      const kmsRef = body.kmsRef ?? null;
      let stored: StoredByokSecret;
      if (kmsRef !== null) {
        if (byok.kmsRefPrefixes.length === 0) {
          throw httpError('byok.kms_not_supported', 'KMS references are not configured on this server; send the key itself.');
        }
        if (!byok.kmsRefPrefixes.some((prefix) => kmsRef.startsWith(prefix))) {
          throw httpError('byok.kms_ref_not_allowed', 'This KMS reference does not start with a configured prefix.');
        }
        stored = await app.db.transaction(async (tx) => {
          const put = await store.put(tx, {
            orgId: principal.orgId,
            providerId,
            credentialKind: 'kms_ref',
            sealed: null,
            kmsRef,
            last4: null,
            keyFingerprint: fingerprintOf(kmsRef),
            createdBy: principal.userId,
          });
          await app.audit.record(tx, principal, {
            action: 'byok_secret.set',
            targetType: 'byok_secret',
            targetId: providerId,
            metadata: { credentialKind: 'kms_ref' },
          });
          return put;
        });
      } else {
        if (!cipher) throw httpError('byok.key_not_configured', 'No BYOK encryption key is configured (OPEN_COWORK_BYOK_KEY).');
        const plaintext = (body.plaintext ?? body.apiKey ?? body.key ?? body.secret)!.trim();
        if (plaintext === '') throw httpError('byok.secret_required', 'The secret must not be blank.');
        stored = await app.db.transaction(async (tx) => {
          const put = await store.put(tx, {
            orgId: principal.orgId,
            providerId,
            credentialKind: 'plaintext',
            sealed: cipher.seal(principal.orgId, providerId, plaintext),
            kmsRef: null,
            last4: plaintext.slice(-4),
            keyFingerprint: cipher.fingerprint(plaintext),
            createdBy: principal.userId,
          });
          await app.audit.record(tx, principal, {
            action: 'byok_secret.set',
            targetType: 'byok_secret',
            targetId: providerId,
            metadata: { credentialKind: 'plaintext', last4: put.metadata.last4 },
          });
          return put;
        });
      }
      return reply.status(201).send({ secret: stored.metadata });
    },
  );

  /** Keyed like plaintext secrets when a key exists; KMS references are not secret themselves. */
  function fingerprintOf(value: string): string {
    return cipher ? cipher.fingerprint(value) : `ref:${value.slice(-8)}`;
  }

  app.post<{ Params: Static<typeof ProviderParams> }>(
    '/api/byok/:providerId/validate',
    { config: admin, schema: { params: ProviderParams, response: { 200: ValidateResponse } } },
    async (request) => {
      const { principal } = request;
      const { providerId } = request.params;
      app.billing.requireEntitlement(principal, 'byok');
      const secret = await app.db.transaction(async (tx) => {
        const stored = await existing(principal.orgId, providerId, tx);
        notDisabled(stored);
        let problem: string | null;
        if (stored.kmsRef !== null) {
          problem = byok.kmsRefPrefixes.some((prefix) => stored.kmsRef!.startsWith(prefix))
            ? null
            : 'The KMS reference no longer matches a configured prefix.';
        } else {
          const plaintext = stored.sealed && cipher ? cipher.open(principal.orgId, providerId, stored.sealed) : null;
          problem =
            plaintext === null
              ? 'The secret cannot be decrypted with the current BYOK key; store it again.'
              : validateProviderSecret(providerId, plaintext);
        }
        const updated = (await store.setStatus(tx, principal.orgId, providerId, {
          status: problem ? 'invalid' : 'active',
          validated: true,
          validationError: problem,
        }))!;
        await app.audit.record(tx, principal, {
          action: 'byok_secret.validated',
          targetType: 'byok_secret',
          targetId: providerId,
          metadata: { status: updated.metadata.status },
        });
        return updated.metadata;
      });
      return { secret, validated: secret.status === 'active' };
    },
  );

  app.post<{ Params: Static<typeof ProviderParams>; Body: Static<typeof OverrideBody> }>(
    '/api/byok/:providerId/override',
    { config: admin, schema: { params: ProviderParams, body: OverrideBody, response: { 200: OverrideResponse } } },
    async (request) => {
      const { principal } = request;
      const { providerId } = request.params;
      const reason = request.body.reason.trim();
      app.billing.requireEntitlement(principal, 'byok');
      return app.db.transaction(async (tx) => {
        const stored = await existing(principal.orgId, providerId, tx);
        notDisabled(stored);
        if (stored.metadata.status === 'active') return { secret: stored.metadata, overridden: false };
        const updated = (await store.setStatus(tx, principal.orgId, providerId, { status: 'active', overrideReason: reason }))!;
        await app.audit.record(tx, principal, {
          action: 'byok_secret.validation_overridden',
          targetType: 'byok_secret',
          targetId: providerId,
          metadata: { reason, previousStatus: stored.metadata.status },
        });
        return { secret: updated.metadata, overridden: true };
      });
    },
  );

  app.delete<{ Params: Static<typeof ProviderParams> }>(
    '/api/byok/:providerId',
    { config: admin, schema: { params: ProviderParams, response: { 200: DisableResponse } } },
    async (request): Promise<{ secret: ByokSecretMetadata | null; disabled: boolean }> => {
      const { principal } = request;
      const { providerId } = request.params;
      return app.db.transaction(async (tx) => {
        const stored = await store.lock(tx, principal.orgId, providerId);
        if (!stored || stored.metadata.status === 'disabled') return { secret: null, disabled: false };
        // A soft disable: the record and its metadata stay; the ciphertext goes.
        const updated = (await store.setStatus(tx, principal.orgId, providerId, { status: 'disabled', wipe: true }))!;
        await app.audit.record(tx, principal, { action: 'byok_secret.disabled', targetType: 'byok_secret', targetId: providerId });
        return { secret: updated.metadata, disabled: true };
      });
    },
  );
}
