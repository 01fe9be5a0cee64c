import { randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAccountConfig } from '../../src/account-config.js';
import { createByokCipher, validateProviderSecret } from '../../src/services/byok.js';
import { call } from '../helpers/http.js';
import { startServerForTest } from '@open-cowork/test-support/server';
import { tempDirForTest } from '@open-cowork/test-support/temp-dir';

const newKey = () => randomBytes(32).toString('base64');

describe('BYOK encryption', () => {
  it('opens what it sealed, only for the same org and provider, and only with the same key', () => {
    const cipher = createByokCipher(newKey());
    const sealed = cipher.seal('org_a', 'openai', 'sk-secret-value-123456');
    expect(cipher.open('org_a', 'openai', sealed)).toBe('sk-secret-value-123456');
    expect(cipher.open('org_b', 'openai', sealed)).toBeNull();
    expect(cipher.open('org_a', 'anthropic', sealed)).toBeNull();
    expect(createByokCipher(newKey()).open('org_a', 'openai', sealed)).toBeNull();
    const tampered = { ...sealed, ciphertext: Buffer.from('x'.repeat(22)).toString('base64') };
    expect(cipher.open('org_a', 'openai', tampered)).toBeNull();
  });

  it('fingerprints with a key: the same secret differs under another server key', () => {
    const a = createByokCipher(newKey());
    expect(a.fingerprint('sk-same')).toBe(a.fingerprint('sk-same'));
    expect(createByokCipher(newKey()).fingerprint('sk-same')).not.toBe(a.fingerprint('sk-same'));
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => createByokCipher(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
    expect(() => createByokCipher(randomBytes(32).toString('hex'))).not.toThrow();
  });

  it.each([
    ['openai', `sk-${'a'.repeat(30)}`, null],
    ['openai', 'pk-abcdefghijklmnopqrstuvwxyz', /sk-/],
    ['anthropic', `sk-ant-${'b'.repeat(30)}`, null],
    ['google', `AIza${'c'.repeat(35)}`, null],
    ['custom-llm', 'anything-long-enough', null],
    ['custom-llm', 'short', /too short/],
    ['custom-llm', 'has a space in the key', /whitespace/],
  ])('validates %s keys locally (%s)', (provider, secret, problem) => {
    const result = validateProviderSecret(provider, secret);
    if (problem === null) expect(result).toBeNull();
    else expect(result).toMatch(problem);
  });
});

describe('BYOK across restarts', () => {
  it('decrypts after a restart with the same key; another key makes validation say so', async () => {
    const dataDir = await tempDirForTest('byok-');
    const key = newKey();
    const first = await startServerForTest({ dataDir, config: { byok: { key } } });
    const admin = await first.mintToken(['admin']);
    expect((await call(first.baseUrl, '/api/byok/openai', { bearer: admin, body: { apiKey: `sk-${'r'.repeat(30)}` } })).status).toBe(201);
    await first.close();

    const same = await startServerForTest({ dataDir, config: { byok: { key } } });
    const validated = await call(same.baseUrl, '/api/byok/openai/validate', { bearer: admin, method: 'POST' });
    expect(validated.body).toMatchObject({ validated: true, secret: { status: 'active' } });
    await same.close();

    const other = await startServerForTest({ dataDir, config: { byok: { key: newKey() } } });
    const refused = await call(other.baseUrl, '/api/byok/openai/validate', { bearer: admin, method: 'POST' });
    expect(refused.body).toMatchObject({
      validated: false,
      secret: { status: 'invalid', validationError: expect.stringContaining('decrypted') },
    });
    await other.close();

    const none = await startServerForTest({ dataDir, config: { byok: { key: null } } });
    const unconfigured = await call(none.baseUrl, '/api/byok/openai', { bearer: admin, body: { apiKey: `sk-${'s'.repeat(30)}` } });
    expect([unconfigured.status, unconfigured.body.code]).toEqual([503, 'byok.key_not_configured']);
    expect((await call(none.baseUrl, '/api/byok', { bearer: admin })).body.secrets).toHaveLength(1);
  }, 120_000);

  it('accepts KMS references only under configured prefixes', async () => {
    const server = await startServerForTest({ config: { byok: { kmsRefPrefixes: ['gcp-sm://projects/acme/'] } } });
    const admin = await server.mintToken(['admin']);
    const stored = await call(server.baseUrl, '/api/byok/openai', {
      bearer: admin,
      body: { kmsRef: 'gcp-sm://projects/acme/secrets/openai' },
    });
    expect(stored.body.secret).toMatchObject({ credentialKind: 'kms_ref', last4: null, status: 'pending_validation' });
    expect(JSON.stringify(stored.body)).not.toContain('projects/acme');
    const other = await call(server.baseUrl, '/api/byok/anthropic', { bearer: admin, body: { kmsRef: 'aws-sm://elsewhere' } });
    expect([other.status, other.body.code]).toEqual([400, 'byok.kms_ref_not_allowed']);
    expect((await call(server.baseUrl, '/api/byok/openai/validate', { bearer: admin, method: 'POST' })).body.secret.status).toBe('active');
  });

  it('persists a generated key in the data dir (mode 600) and prefers OPEN_COWORK_BYOK_KEY', async () => {
    const dataDir = await tempDirForTest('byok-key-');
    const generated = await loadAccountConfig({}, { dataDir });
    expect(generated.byok).toMatchObject({ keySource: 'data-dir' });
    expect((await loadAccountConfig({}, { dataDir })).byok?.key).toBe(generated.byok?.key);
    expect(((await stat(join(dataDir, 'byok-key'))).mode & 0o777).toString(8)).toBe('600');
    expect(await readFile(join(dataDir, 'byok-key'), 'utf8')).toBe(generated.byok?.key);
    const fromEnv = await loadAccountConfig({ OPEN_COWORK_BYOK_KEY: 'env-key' }, { dataDir });
    expect(fromEnv.byok).toEqual({ key: 'env-key', keySource: 'env' });
    expect((await loadAccountConfig({}, { dataDir: null })).byok).toEqual({ key: null, keySource: 'none' });
  });

  it('loads the capability catalog from a JSON file and the quotas from the environment', async () => {
    const dir = await tempDirForTest('caps-');
    const file = join(dir, 'catalog.json');
    const catalog = {
      tools: [{ id: 't', name: 'T', description: 'd', kind: 'mcp', source: 'custom', patterns: [], agentNames: [] }],
      skills: [],
    };
    await writeFile(file, JSON.stringify(catalog));
    const loaded = await loadAccountConfig({ OPEN_COWORK_CLOUD_QUOTA_PROMPTS_PER_HOUR: '5' }, { capabilitiesFile: file, dataDir: null });
    expect(loaded.capabilities).toEqual(catalog);
    expect(loaded.billing?.quotas).toEqual({ promptsPerHour: 5 });
    const server = await startServerForTest({ config: { capabilities: loaded.capabilities! } });
    const tools = await call(server.baseUrl, '/api/capabilities/tools', { bearer: await server.mintToken(['desktop']) });
    expect(tools.body.tools.map((tool: { id: string }) => tool.id)).toEqual(['t']);
    await writeFile(file, JSON.stringify({ tools: [{ id: 't' }], skills: [] }));
    const bad = await loadAccountConfig({}, { capabilitiesFile: file, dataDir: null });
    await expect(startServerForTest({ config: { capabilities: bad.capabilities! } })).rejects.toThrow(/capability catalog is not valid/);
  });
});
