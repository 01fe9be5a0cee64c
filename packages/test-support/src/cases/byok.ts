/** The byok domain's calls as data, shared by the client's unit test and the server's OpenAPI test. */
import { get, post, send, type DomainCase } from './exchange.js';

const secret = {
  secretId: 's1',
  providerId: 'openai',
  status: 'pending_validation',
  credentialKind: 'plaintext',
  last4: 'abcd',
  keyFingerprint: 'sha256:00',
  lastValidatedAt: null,
  validationError: null,
  createdAt: '2026-08-01T00:00:00.000Z',
  updatedAt: '2026-08-01T00:00:00.000Z',
};
export const active = { ...secret, status: 'active', lastValidatedAt: '2026-08-01T00:01:00.000Z' };
const disabled = { ...secret, status: 'disabled' };

export const byokCases: DomainCase[] = [
  {
    method: 'listByokSecrets',
    args: [],
    exchanges: [get('/api/byok', { secrets: [secret] })],
    result: [secret],
  },
  {
    method: 'getByokSecret',
    args: ['openai'],
    exchanges: [get('/api/byok/openai', { secret })],
    result: secret,
  },
  {
    method: 'getByokSecret',
    args: ['a/b?c#d'],
    exchanges: [get('/api/byok/a%2Fb%3Fc%23d', { secret: null })],
    result: null,
  },
  {
    method: 'setByokSecret',
    args: ['openai', { apiKey: 'sk-test-abcd' }],
    exchanges: [post('/api/byok/openai', { apiKey: 'sk-test-abcd' }, { secret }, undefined, 201)],
    result: secret,
  },
  {
    method: 'setByokSecret',
    args: ['openai', { kmsRef: 'gcp-kms://keys/openai', plaintext: undefined }, { idempotencyKey: 'k-1' }],
    exchanges: [
      {
        request: {
          method: 'POST',
          path: '/api/byok/openai',
          body: { kmsRef: 'gcp-kms://keys/openai' },
          idempotencyKey: 'k-1',
        },
        response: { status: 201, body: { secret: { ...secret, credentialKind: 'kms_ref' } } },
      },
    ],
    result: { ...secret, credentialKind: 'kms_ref' },
  },
  {
    method: 'validateByokSecret',
    args: ['openai'],
    exchanges: [post('/api/byok/openai/validate', undefined, { secret: active, validated: true })],
    result: active,
  },
  {
    method: 'overrideByokSecretValidation',
    args: ['openai', { reason: 'Provider outage' }, { idempotencyKey: 'k-2' }],
    exchanges: [
      {
        request: {
          method: 'POST',
          path: '/api/byok/openai/override',
          body: { reason: 'Provider outage' },
          idempotencyKey: 'k-2',
        },
        response: { body: { secret: active, overridden: true } },
      },
    ],
    result: active,
  },
  {
    method: 'deleteByokSecret',
    args: ['openai'],
    exchanges: [send('DELETE', '/api/byok/openai', undefined, { secret: disabled, disabled: true })],
    result: disabled,
  },
  {
    // Nothing to disable: the first client reported `true` here (pitfall 13).
    method: 'deleteByokSecret',
    args: ['anthropic'],
    exchanges: [send('DELETE', '/api/byok/anthropic', undefined, { secret: null, disabled: false })],
    result: null,
  },
];
