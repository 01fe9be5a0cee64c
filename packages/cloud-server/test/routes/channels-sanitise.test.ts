import { describe, expect, it } from 'vitest';
import { sanitisePublic } from '../../src/services/channel-access.js';
import { credentialRefKind } from '../../src/store/channels.js';

describe('the public sanitiser of channel JSON', () => {
  it('cuts strings at 512 characters and redacts secret-looking keys at any depth', () => {
    const out = sanitisePublic({ text: 'a'.repeat(600), nested: { apiKey: 'k', Authorization: 'Bearer x', ok: 1 } }) as Record<string, any>;
    expect(out.text).toHaveLength(513);
    expect(out.nested).toEqual({ apiKey: '[redacted]', Authorization: '[redacted]', ok: 1 });
  });

  it('keeps at most 50 array items and 4 levels', () => {
    const out = sanitisePublic({ list: Array.from({ length: 80 }, (_, n) => n), a: { b: { c: { d: { e: 1 } } } } }) as Record<string, any>;
    expect(out.list).toHaveLength(50);
    expect(out.a.b.c.d).toBe('[object]');
  });
});

describe('credential references', () => {
  it.each([
    ['env:SLACK_TOKEN', 'env'],
    ['projects/p/secrets/slack/versions/1', 'gcp-secret-manager'],
    ['arn:aws:secretsmanager:eu-west-1:1:secret:slack', 'aws-secrets-manager'],
    ['https://vault1.vault.azure.net/secrets/slack', 'azure-key-vault'],
    ['secret-ref:slack', 'secret-ref'],
    ['xoxb-123-456', null],
    ['env:lower case', null],
  ])('%s is %s', (ref, kind) => {
    expect(credentialRefKind(ref)).toBe(kind);
  });
});
