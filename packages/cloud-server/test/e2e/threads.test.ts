import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '@open-cowork/test-support/db';
import { type Client, failure, type Harness, mintClient, startHarness } from './harness.js';

describe.each(engines)('threads through the client over real HTTP (%s)', (engine) => {
  let h: Harness;
  let cloud: Client;
  let other: Client;
  beforeAll(async () => {
    h = await startHarness({ engine });
    cloud = h.client;
    other = await mintClient(h.server, ['desktop'], { email: 'threads-other@example.com' });
  });
  afterAll(() => h.server.close());

  it('creates, lists, updates and deletes tags; names are unique per user', async () => {
    const tag = await cloud.createThreadTag({ name: 'Urgent', color: '#ff0000' });
    expect(tag).toMatchObject({ name: 'Urgent', color: '#ff0000' });
    expect(tag.id).toMatch(/^tag_/);
    const plain = await cloud.createThreadTag({ name: 'Plain' });
    expect(plain.color).toBe('#64748b');
    expect((await cloud.listThreadTags()).map((listed) => listed.name)).toEqual(['Plain', 'Urgent']);
    expect(await failure(cloud.createThreadTag({ name: 'urgent' }))).toMatchObject({ status: 409, code: 'threads.tag_name_taken' });
    // Another user may use the same name.
    expect((await other.createThreadTag({ name: 'Urgent' })).name).toBe('Urgent');

    const renamed = await cloud.updateThreadTag(tag.id, { name: 'Critical' });
    expect(renamed).toMatchObject({ id: tag.id, name: 'Critical', color: '#ff0000' });
    expect(await failure(cloud.updateThreadTag(tag.id, { name: 'Plain' }))).toMatchObject({ status: 409, code: 'threads.tag_name_taken' });
    expect((await failure(cloud.updateThreadTag('tag_missing', { name: 'x' }))).kind).toBe('not_found');
    expect(await cloud.deleteThreadTag(plain.id)).toBe(true);
    expect(await cloud.deleteThreadTag(plain.id)).toBe(false);
    // Another user's tag is as absent as an unknown one.
    expect(await other.deleteThreadTag(tag.id)).toBe(false);
  });

  it('applies and removes tags atomically, and searches threads by tag, text and status', async () => {
    const a = (await cloud.createSession()).session.sessionId;
    const b = (await cloud.createSession()).session.sessionId;
    const red = await cloud.createThreadTag({ name: 'Red' });
    const blue = await cloud.createThreadTag({ name: 'Blue' });
    expect(await cloud.applyThreadTags([a, b], [red.id])).toBe(true);
    expect(await cloud.applyThreadTags([a], [blue.id])).toBe(true);

    const all = await cloud.searchThreads({ limit: 50 });
    expect(all.threads.map((thread) => thread.sessionId)).toEqual(expect.arrayContaining([a, b]));
    const both = await cloud.searchThreads({ tagIds: [red.id, blue.id] });
    expect(both.threads.map((thread) => thread.sessionId)).toEqual([a]);
    expect(both.threads[0]!.tags.map((tag) => tag.name).sort()).toEqual(['Blue', 'Red']);
    expect((await cloud.searchThreads({ tagIds: [red.id] })).threads.map((thread) => thread.sessionId).sort()).toEqual([a, b].sort());
    expect((await cloud.searchThreads({ text: a.slice(-8) })).threads.map((thread) => thread.sessionId)).toEqual([a]);
    expect((await cloud.searchThreads({ statuses: ['error'] })).threads).toEqual([]);

    const facets = await cloud.threadFacets({ tagIds: [red.id] });
    expect(facets.tags.find((tag) => tag.id === red.id)!.count).toBe(2);
    expect(facets.tags.find((tag) => tag.id === blue.id)!.count).toBe(1);

    // One unknown (or foreign) session: 404 and nothing applied.
    const foreign = (await other.createSession()).session.sessionId;
    const refused = await failure(cloud.applyThreadTags([b, foreign], [blue.id]));
    expect(refused).toMatchObject({ status: 404, code: 'sessions.not_found' });
    expect((await cloud.searchThreads({ tagIds: [blue.id] })).threads.map((thread) => thread.sessionId)).toEqual([a]);
    expect((await failure(cloud.applyThreadTags([a], ['tag_missing']))).code).toBe('threads.tag_not_found');

    expect(await cloud.removeThreadTags([a], [red.id, blue.id])).toBe(true);
    expect((await cloud.searchThreads({ tagIds: [red.id] })).threads.map((thread) => thread.sessionId)).toEqual([b]);
    // Another user's search never shows these sessions.
    expect((await other.searchThreads()).threads.map((thread) => thread.sessionId)).toEqual([foreign]);
  });

  it('pages the search with a cursor bound to its filters', async () => {
    for (let index = 0; index < 3; index += 1) await cloud.createSession();
    const first = await cloud.searchThreads({ limit: 2 });
    expect(first.threads).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await cloud.searchThreads({ limit: 2, cursor: first.nextCursor });
    expect(second.threads.map((thread) => thread.sessionId)).not.toContain(first.threads[0]!.sessionId);
    const error = await failure(cloud.searchThreads({ limit: 2, text: 'other', cursor: first.nextCursor }));
    expect(error).toMatchObject({ status: 400, code: 'threads.cursor.invalid' });
  });

  it('creates, lists, updates and deletes smart filters', async () => {
    const filter = await cloud.createThreadSmartFilter({ name: 'Mine', query: { tagIds: ['x'], statuses: ['running'] } });
    expect(filter).toMatchObject({ name: 'Mine', query: { tagIds: ['x'], statuses: ['running'] } });
    expect(await cloud.listThreadSmartFilters()).toEqual([filter]);
    const updated = await cloud.updateThreadSmartFilter(filter.filterId, { query: { text: 'report' } });
    expect(updated).toMatchObject({ filterId: filter.filterId, name: 'Mine', query: { text: 'report' } });
    expect((await failure(cloud.updateThreadSmartFilter('tflt_missing', { name: 'x' }))).kind).toBe('not_found');
    expect(await other.listThreadSmartFilters()).toEqual([]);
    expect(await cloud.deleteThreadSmartFilter(filter.filterId)).toBe(true);
    expect(await cloud.deleteThreadSmartFilter(filter.filterId)).toBe(false);
  });
});
