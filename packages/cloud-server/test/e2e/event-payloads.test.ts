import type { CloudSessionEvent, TypedCloudWorkspaceEvent } from '@open-cowork/shared';
import { events as eventSchemas } from '@open-cowork/shared/schemas';
import { FormatRegistry, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, record, startHarness } from './harness.js';

// TypeBox checks a format only once it is told what the format means.
FormatRegistry.Set('date-time', (value) => !Number.isNaN(Date.parse(value)));

const { SessionEventPayloads, sessionEventOf, workspaceEventOf } = eventSchemas;
type PayloadType = eventSchemas.SessionEventPayloadType;
const isTyped = (type: string): type is PayloadType => type in SessionEventPayloads;

/** What `schema` finds wrong with `event`, one line per error: none when it validates. */
const problems = (schema: TSchema, event: { type: string }) =>
  [...Value.Errors(schema, event)].map((error) => `${event.type} ${error.path}: ${error.message}`);

/** The types the reference server never writes: sub-agent runs come from a runtime that has them. */
const NOT_WRITTEN: PayloadType[] = ['task.run'];

describe('the events the server writes have the payloads the contract gives their type', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: { artifactMaxBytes: 64 * 1024 } });
  });
  afterAll(() => h.server.close());

  it('every projected type the server writes, on the session and the workspace stream, validates against its schema', async () => {
    const workspace = record<TypedCloudWorkspaceEvent>((handlers) => h.client.subscribeWorkspaceEvents(handlers));
    const { client } = h;
    const snapshot = await client.uploadProjectSnapshot({ title: 'demo', files: [{ path: 'a.txt', dataBase64: 'YQ==' }] });
    const { sessionId } = (await client.createSession({ projectSource: snapshot.projectSource })).session;
    const session = record<CloudSessionEvent>((handlers) => client.subscribeSessionEvents(sessionId, handlers));
    const until = (type: string, count = 1) => session.until((all) => all.filter((event) => event.type === type).length >= count);

    const { commandId } = (await client.promptSession(sessionId, { text: 'all of it [permission] [question] [artifact]' })).command;
    const [asked] = (await until('permission.requested')).filter((event) => event.type === 'permission.requested');
    await client.respondToPermission(sessionId, { permissionId: String(asked!.payload.permissionId), response: 'once' });
    const [question] = (await until('question.asked')).filter((event) => event.type === 'question.asked');
    await client.replyToQuestion(sessionId, { requestId: String(question!.payload.requestId), answers: [['short']] });
    await session.until((all) => all.some((event) => event.type === 'session.idle' && event.payload.commandId === commandId));
    await client.promptSession(sessionId, { text: 'fail [error]' });
    await until('runtime.error');
    await until('session.idle', 2);
    const artifact = await client.uploadArtifact(sessionId, {
      filename: 'notes.md',
      contentType: 'text/markdown',
      data: new Uint8Array([35]),
    });
    await client.updateArtifactStatus({ sessionId, artifactId: artifact.artifactId, status: 'final' });
    await until('artifact.updated');
    await client.promptSession(sessionId, { text: 'long [stream:5000]' });
    await until('assistant.message', 20);
    await client.abortSession(sessionId);
    await until('session.aborted');
    const imported = await client.importSession({
      source: { kind: 'local-session', fingerprint: 'payloads', title: 'Local' },
      title: 'Imported',
      selection: { includeMessages: true },
      itemCounts: { messages: 1, artifacts: 0, attachments: 0, projectSource: 0, excluded: 0 },
      messages: [{ id: 'm1', role: 'user', content: 'Hello', order: 1 }],
    });
    const importedSession = record<CloudSessionEvent>((handlers) => client.subscribeSessionEvents(imported.session.sessionId, handlers));
    const importedEvents = await importedSession.until((all) => all.some((event) => event.type === 'session.imported'));
    importedSession.close();

    const written = [...session.events, ...importedEvents].filter((event) => isTyped(event.type));
    session.close();
    const mirrored = await workspace.until((all) => all.filter((event) => isTyped(event.type)).length >= written.length);
    workspace.close();

    expect(written.flatMap((event) => problems(sessionEventOf(event.type as PayloadType), event))).toEqual([]);
    const typedMirrors = mirrored.filter((event) => isTyped(event.type));
    expect(typedMirrors.flatMap((event) => problems(workspaceEventOf(event.type as PayloadType), event))).toEqual([]);
    const seen = new Set(written.map((event) => event.type));
    expect(Object.keys(SessionEventPayloads).filter((type) => !seen.has(type))).toEqual(NOT_WRITTEN);
  });
});
