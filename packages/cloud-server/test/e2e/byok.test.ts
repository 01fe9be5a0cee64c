import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '@open-cowork/test-support/db';
import { call } from '../helpers/http.js';
import type { TestServer } from '@open-cowork/test-support/server';
import { type Client, failure, mintClient, startHarness } from './harness.js';

const openAiKey = () => `sk-${randomBytes(24).toString('base64url')}`;

describe.each(engines)('byok through the client (%s)', (engine) => {
  let server: TestServer;
  let cloud: Client;
  let admin: string;
  beforeAll(async () => {
    ({
      server,
      token: admin,
      client: cloud,
    } = await startHarness({
      engine,
      scopes: ['admin'],
      config: { byok: { key: randomBytes(32).toString('base64'), kmsRefPrefixes: [] } },
    }));
  });
  afterAll(() => server.close());

  const rows = async () => (await server.db.query('SELECT provider_id, status, ciphertext FROM byok_secrets ORDER BY provider_id')).rows;

  it('stores a secret encrypted, shows only its metadata, validates it, lists and reads it', async () => {
    expect(await cloud.listByokSecrets()).toEqual([]);
    expect(await cloud.getByokSecret('openai')).toBeNull();
    const key = openAiKey();
    const stored = await cloud.setByokSecret('openai', { apiKey: key });
    expect(stored).toMatchObject({
      providerId: 'openai',
      status: 'pending_validation',
      credentialKind: 'plaintext',
      last4: key.slice(-4),
      validationError: null,
      lastValidatedAt: null,
    });
    expect(stored.keyFingerprint).toMatch(/^hmac-sha256:[0-9a-f]{32}$/);
    expect(JSON.stringify(stored)).not.toContain(key);
    const [row] = await rows();
    expect(row!.ciphertext).not.toContain(key);
    expect(Buffer.from(row!.ciphertext as string, 'base64').toString('utf8')).not.toContain(key);

    const validated = await cloud.validateByokSecret('openai');
    expect(validated).toMatchObject({ status: 'active', validationError: null });
    expect(validated.lastValidatedAt).not.toBeNull();
    expect(await cloud.getByokSecret('openai')).toEqual(validated);
    expect(await cloud.listByokSecrets()).toEqual([validated]);
  });

  it('gives equal secrets equal fingerprints, but never equal ciphertexts', async () => {
    const key = openAiKey();
    const a = await cloud.setByokSecret('custom-a', { plaintext: key });
    const b = await cloud.setByokSecret('custom-b', { secret: key });
    expect(a.keyFingerprint).toBe(b.keyFingerprint);
    const byProvider = Object.fromEntries((await rows()).map((row) => [row.provider_id, row.ciphertext]));
    expect(byProvider['custom-a']).not.toBe(byProvider['custom-b']);
  });

  it('marks a malformed key invalid with the reason, and an admin can override it with a reason', async () => {
    await cloud.setByokSecret('anthropic', { key: 'sk-wrong-format-but-long-enough' });
    const invalid = await cloud.validateByokSecret('anthropic');
    expect(invalid.status).toBe('invalid');
    expect(invalid.validationError).toContain('sk-ant-');
    const overridden = await cloud.overrideByokSecretValidation('anthropic', { reason: 'Proxy key with a custom prefix' });
    expect(overridden.status).toBe('active');
    const audit = await cloud.listAdminAuditEvents(5);
    expect(audit[0]).toMatchObject({
      action: 'byok_secret.validation_overridden',
      targetId: 'anthropic',
      metadata: { reason: 'Proxy key with a custom prefix', previousStatus: 'invalid' },
    });
  });

  it('soft-disables a secret: the record stays without its ciphertext; nothing to disable answers null', async () => {
    await cloud.setByokSecret('mistral', { apiKey: 'A'.repeat(32) });
    const disabled = await cloud.deleteByokSecret('mistral');
    expect(disabled).toMatchObject({ providerId: 'mistral', status: 'disabled' });
    expect((await cloud.getByokSecret('mistral'))?.status).toBe('disabled');
    const {
      rows: [row],
    } = await server.db.query('SELECT ciphertext, iv FROM byok_secrets WHERE provider_id = $1', ['mistral']);
    expect(row).toEqual({ ciphertext: null, iv: null });
    expect(await cloud.deleteByokSecret('mistral')).toBeNull();
    expect(await cloud.deleteByokSecret('never-set')).toBeNull();
    const conflict = await failure(cloud.validateByokSecret('mistral'));
    expect(conflict).toMatchObject({ kind: 'conflict', code: 'byok.secret_disabled' });
    // Storing a new key brings the provider back.
    expect((await cloud.setByokSecret('mistral', { apiKey: 'B'.repeat(32) })).status).toBe('pending_validation');
  });

  it('refuses bad input with 400/404/409/501 and a code, writing nothing', async () => {
    const before = await rows();
    const auditBefore = (await cloud.listAdminAuditEvents(500)).length;
    const cases: [string, string, unknown, number, string][] = [
      ['POST', '/api/byok/openai', {}, 400, 'byok.secret_required'],
      ['POST', '/api/byok/openai', { apiKey: openAiKey(), key: openAiKey() }, 400, 'byok.secret_required'],
      ['POST', '/api/byok/openai', { apiKey: '' }, 400, 'request.invalid'],
      ['POST', '/api/byok/openai', { apiKey: 42 }, 400, 'request.invalid'],
      ['POST', '/api/byok/openai', { apiKey: ' '.repeat(12) }, 400, 'byok.secret_required'],
      ['POST', '/api/byok/Not%20A%20Provider', { apiKey: openAiKey() }, 400, 'request.invalid'],
      ['POST', '/api/byok/openai', { kmsRef: 'projects/p/secrets/s' }, 501, 'byok.kms_not_supported'],
      ['POST', '/api/byok/openai/override', {}, 400, 'request.invalid'],
      ['POST', '/api/byok/openai/override', { reason: '   ' }, 400, 'request.invalid'],
      ['POST', '/api/byok/nothing-here/override', { reason: 'x' }, 404, 'byok.secret_not_found'],
      ['POST', '/api/byok/nothing-here/validate', undefined, 404, 'byok.secret_not_found'],
    ];
    for (const [method, path, body, status, code] of cases) {
      const answer = await call(server.baseUrl, path, { method, bearer: admin, ...(body === undefined ? {} : { body }) });
      expect([path, answer.status, answer.body.code]).toEqual([path, status, code]);
      expect(typeof answer.body.error).toBe('string');
    }
    expect(await rows()).toEqual(before);
    expect((await cloud.listByokSecrets()).length).toBe(before.length);
    expect((await cloud.listAdminAuditEvents(500)).length).toBe(auditBefore);
    const kms = await failure(cloud.setByokSecret('openai', { kmsRef: 'gcp://x' }));
    expect(kms).toMatchObject({ kind: 'server', status: 501, code: 'byok.kms_not_supported' });
    expect((await failure(cloud.validateByokSecret('nothing-here'))).kind).toBe('not_found');
  });

  it('answers 402 when the org is not entitled to provider keys, and 403 to plain members', async () => {
    server.app.billing.setOrgEntitlements(server.app.defaultOrg.orgId, { byok: false });
    try {
      const refused = await failure(cloud.setByokSecret('groq', { apiKey: `gsk_${'a'.repeat(30)}` }));
      expect(refused).toMatchObject({ kind: 'payment_required', status: 402, code: 'billing.provider_not_entitled' });
      expect(await cloud.getByokSecret('groq')).toBeNull();
    } finally {
      server.app.billing.setOrgEntitlements(server.app.defaultOrg.orgId, { byok: true });
    }
    const member = await mintClient(server, ['desktop'], { email: 'member-byok@example.test' });
    expect((await member.listByokSecrets()).length).toBeGreaterThan(0);
    expect(await failure(member.setByokSecret('groq', { apiKey: `gsk_${'a'.repeat(30)}` }))).toMatchObject({ kind: 'forbidden' });
  });
});
