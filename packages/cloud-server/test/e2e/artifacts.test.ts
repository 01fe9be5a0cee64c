import type { CloudSessionEvent, CloudSessionProjectionView } from '@open-cowork/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '@open-cowork/test-support/db';
import { type Client, failure, type Harness, hasType, mintClient, record, startHarness } from './harness.js';

const MAX_BYTES = 64 * 1024;

describe.each(engines)('artifacts through the client over real HTTP (%s)', (engine) => {
  let h: Harness;
  let cloud: Client;
  let sessionId: string;
  beforeAll(async () => {
    h = await startHarness({ engine, config: { artifactMaxBytes: MAX_BYTES } });
    cloud = h.client;
    sessionId = (await cloud.createSession()).session.sessionId;
  });
  afterAll(() => h.server.close());

  it('uploads bytes, lists them, reads them back as a data URL and streams artifact.created without the bytes', async () => {
    const recording = record<CloudSessionEvent>((handlers) => cloud.subscribeSessionEvents(sessionId, handlers));
    const bytes = new Uint8Array([0, 1, 2, 250, 251, 252, 253, 254, 255]);
    const artifact = await cloud.uploadArtifact(sessionId, {
      filename: 'chart.png',
      contentType: 'image/png',
      data: bytes,
      kind: 'chart',
      projectId: 'p1',
      taskId: 't1',
    });
    expect(artifact).toMatchObject({
      filename: 'chart.png',
      mime: 'image/png',
      contentType: 'image/png',
      size: bytes.length,
      kind: 'chart',
      status: 'draft',
      projectId: 'p1',
      taskId: 't1',
      order: 0,
      source: 'cloud',
      toolId: 'cloud-artifact',
      toolName: 'cloud.artifact',
      sessionId,
    });
    expect(artifact.id).toBe(artifact.artifactId);
    expect(artifact.cloudArtifactId).toBe(artifact.artifactId);
    expect(artifact.filePath).toBe(`cloud-artifact://${artifact.artifactId}/chart.png`);
    expect(artifact.workspaceId).toMatch(/^cloud:/);

    expect(await cloud.listArtifacts(sessionId)).toEqual([artifact]);
    const attachment = await cloud.readArtifactAttachment(sessionId, artifact.filePath);
    expect(attachment).toEqual({
      mime: 'image/png',
      filename: 'chart.png',
      url: `data:image/png;base64,${Buffer.from(bytes).toString('base64')}`,
    });
    expect((await cloud.readArtifactAttachment(sessionId, artifact.artifactId)).url).toBe(attachment.url);

    const events = await recording.until(hasType('artifact.created'));
    recording.close();
    const created = events.find((event) => event.type === 'artifact.created')!;
    expect(created.payload).toMatchObject({ artifactId: artifact.artifactId, filename: 'chart.png', size: bytes.length });
    expect(JSON.stringify(created.payload)).not.toContain('dataBase64');
    const view = (await cloud.getSession(sessionId)).projection!.view as unknown as CloudSessionProjectionView;
    expect(view.artifacts).toMatchObject([{ id: artifact.artifactId, filename: 'chart.png', mime: 'image/png' }]);
  });

  it('moves status forward only: draft → in-review → final, 409 backwards', async () => {
    const artifact = await cloud.uploadArtifact(sessionId, {
      filename: 'report.md',
      dataBase64: Buffer.from('# Report').toString('base64'),
    });
    expect(artifact).toMatchObject({ kind: 'document', status: 'draft', contentType: 'application/octet-stream', order: 1 });
    const review = await cloud.updateArtifactStatus({
      sessionId,
      artifactId: artifact.artifactId,
      status: 'in-review',
      updatedBy: 'agent-1',
    });
    expect(review).toMatchObject({ status: 'in-review', statusUpdatedBy: 'agent-1' });
    expect(review.statusUpdatedAt).not.toBeNull();
    const final = await cloud.updateArtifactStatus({ sessionId, artifactId: artifact.artifactId, status: 'final', kind: 'deck' });
    expect(final).toMatchObject({ status: 'final', kind: 'deck' });
    const refused = await failure(cloud.updateArtifactStatus({ sessionId, artifactId: artifact.artifactId, status: 'draft' }));
    expect(refused).toMatchObject({ status: 409, code: 'artifacts.status_regression', kind: 'conflict' });
    expect((await cloud.listArtifacts(sessionId)).find((listed) => listed.artifactId === artifact.artifactId)!.status).toBe('final');
    expect((await failure(cloud.updateArtifactStatus({ sessionId, artifactId: 'art_missing', status: 'final' }))).code).toBe(
      'artifacts.not_found',
    );
  });

  it('indexes artifacts across sessions with filters, and validates them', async () => {
    const second = (await cloud.createSession()).session.sessionId;
    await cloud.uploadArtifact(second, {
      filename: 'sheet.csv',
      contentType: 'text/csv',
      dataBase64: Buffer.from('a,b').toString('base64'),
      kind: 'spreadsheet',
      taskId: 't2',
      status: 'final',
    });
    const all = await cloud.indexArtifacts();
    expect(all.total).toBe(3);
    expect(all.scannedSessions).toBe(2);
    expect(all.truncated).toBe(false);
    expect((await cloud.indexArtifacts({ kind: 'spreadsheet' })).artifacts.map((artifact) => artifact.filename)).toEqual(['sheet.csv']);
    expect((await cloud.indexArtifacts({ taskIds: ['t1', 't2'] })).total).toBe(2);
    expect((await cloud.indexArtifacts({ sessionId: second })).total).toBe(1);
    const limited = await cloud.indexArtifacts({ limit: 1 });
    expect(limited).toMatchObject({ total: 3, truncated: true });
    expect(limited.artifacts).toHaveLength(1);
    const bad = await fetch(`${h.server.baseUrl}/api/artifacts?kind=poster`, { headers: { authorization: `Bearer ${h.token}` } });
    expect(bad.status).toBe(400);
    const tooMany = new URLSearchParams(Array.from({ length: 129 }, (_, index) => ['taskIds', `t${index}`]));
    expect((await fetch(`${h.server.baseUrl}/api/artifacts?${tooMany}`, { headers: { authorization: `Bearer ${h.token}` } })).status).toBe(
      400,
    );
    // Another user indexes nothing of this.
    const other = await mintClient(h.server, ['desktop'], { email: 'art-other@example.com' });
    expect((await other.indexArtifacts()).total).toBe(0);
    expect((await failure(other.listArtifacts(sessionId))).status).toBe(404);
  });

  it('refuses uploads over the configured size with 413 artifacts.too_large and stores nothing', async () => {
    const before = (await cloud.listArtifacts(sessionId)).length;
    const error = await failure(cloud.uploadArtifact(sessionId, { filename: 'big.bin', data: new Uint8Array(MAX_BYTES + 1) }));
    expect(error).toMatchObject({ status: 413, code: 'artifacts.too_large' });
    expect(await cloud.listArtifacts(sessionId)).toHaveLength(before);
    // Exactly the cap is fine.
    expect((await cloud.uploadArtifact(sessionId, { filename: 'edge.bin', data: new Uint8Array(MAX_BYTES) })).size).toBe(MAX_BYTES);
  });
});
