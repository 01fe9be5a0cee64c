import { afterEach, describe, expect, it, vi } from 'vitest';
import { cloudArtifactIdFromFilePath } from '../../src/domains/artifacts.js';
import { CASE_TITLE, INVALID_TITLE, runCase, runInvalid, setup, type InvalidCall } from '../helpers/domain-cases.js';
import { artifactsCases } from '@open-cowork/test-support/cases/artifacts';

const invalidCalls: InvalidCall[] = [
  { method: 'listArtifacts', args: [''] },
  { method: 'indexArtifacts', args: [{ kind: 'video' }] },
  { method: 'indexArtifacts', args: [{ status: 'published' }] },
  { method: 'indexArtifacts', args: [{ taskIds: 't1' }] },
  { method: 'indexArtifacts', args: [{ taskIds: ['t1', ''] }] },
  { method: 'indexArtifacts', args: [{ limit: 0 }] },
  { method: 'indexArtifacts', args: ['s1'] },
  { method: 'indexArtifacts', args: [{ sessionId: 5 }] },
  { method: 'updateArtifactStatus', args: [{ sessionId: 's1', artifactId: 'art1', status: 'published' }] },
  { method: 'updateArtifactStatus', args: [{ sessionId: 's1', status: 'final' }] },
  { method: 'updateArtifactStatus', args: [{ sessionId: 's1', artifactId: 'art1', status: 'final', kind: 'video' }] },
  { method: 'updateArtifactStatus', args: [null] },
  { method: 'uploadArtifact', args: ['s1', { filename: 'a.txt' }] },
  { method: 'uploadArtifact', args: ['s1', { filename: 'a.txt', dataBase64: 'AA==', data: new Uint8Array(1) }] },
  { method: 'uploadArtifact', args: ['s1', { filename: 'a.txt', data: [1, 2, 3] }] },
  { method: 'uploadArtifact', args: ['s1', { filename: 'a.txt', dataBase64: 42 }] },
  { method: 'uploadArtifact', args: ['s1', { filename: '', dataBase64: 'AA==' }] },
  { method: 'uploadArtifact', args: ['s1', { filename: 'a.txt', dataBase64: 'AA==', status: 'done' }] },
  { method: 'uploadArtifact', args: ['', { filename: 'a.txt', dataBase64: 'AA==' }] },
  { method: 'readArtifactAttachment', args: ['s1', ''] },
  { method: 'readArtifactAttachment', args: ['', 'art1'] },
  { method: 'readArtifactAttachment', args: ['s1', 'cloud-artifact://%E0%A4%A/x.md'] },
  { method: 'readArtifactAttachment', args: ['s1', 'cloud-artifact://%/x.md'] },
  { method: 'readArtifactAttachment', args: ['s1', 'cloud-artifact:///x.md'] },
];

describe('artifacts domain', () => {
  afterEach(() => vi.unstubAllGlobals());

  it.each(artifactsCases)(CASE_TITLE, runCase);

  it.each(invalidCalls)(INVALID_TITLE, runInvalid);

  it('uploadArtifact base64-encodes large binary data without Node Buffer', async () => {
    const bytes = new Uint8Array(200_003).map((_, i) => (i * 7919) % 256);
    const expected = Buffer.from(bytes).toString('base64');
    vi.stubGlobal('Buffer', undefined);
    const { fetch, call } = setup();
    await call('uploadArtifact', ['s1', { filename: 'blob.bin', data: bytes }]);
    expect((fetch.last().json as { dataBase64: string }).dataBase64).toBe(expected);
  });

  it.each([
    ['cloud-artifact://art1/report.md', 'art1'],
    ['cloud-artifact://art1', 'art1'],
    ['cloud-artifact://a%2Fb%20c/x%2Fy.md', 'a/b c'],
    ['art1', null],
    ['https://example.test/art1', null],
    ['cloud-artifact://', null],
    ['cloud-artifact:///name.md', null],
    ['cloud-artifact://%E0%A4%A/name.md', null],
    ['cloud-artifact://%zz', null],
  ])('cloudArtifactIdFromFilePath(%j) is %j and never throws', (input, expected) => {
    expect(cloudArtifactIdFromFilePath(input)).toBe(expected);
  });

  it('cloudArtifactIdFromFilePath returns null for a non-string', () => {
    expect(cloudArtifactIdFromFilePath(42 as unknown as string)).toBeNull();
  });
});
