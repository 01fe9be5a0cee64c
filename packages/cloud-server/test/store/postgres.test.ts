import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/store/open.js';
import { createPostgresSchema, postgresAvailable, type PostgresSchema } from '@open-cowork/test-support/db';

describe.runIf(postgresAvailable)('PostgreSQL engine across processes', () => {
  let first: PostgresSchema;
  let second: PostgresSchema;
  beforeAll(async () => {
    [first, second] = await Promise.all([createPostgresSchema(), createPostgresSchema()]);
  });
  afterAll(async () => {
    await Promise.all([first.drop(), second.drop()]);
  });

  it('delivers a NOTIFY from one pool to a listener on another pool of the same schema', async () => {
    const [sender, receiver] = await Promise.all([openDb(first.target), openDb(first.target)]);
    try {
      const received: string[] = [];
      await receiver.listen('wake', (payload) => received.push(payload));
      await sender.notify('wake', '42');
      await expect.poll(() => received).toEqual(['42']);
    } finally {
      await Promise.all([sender.close(), receiver.close()]);
    }
  });

  it('keeps NOTIFY channels of different schemas apart', async () => {
    const [sender, stranger] = await Promise.all([openDb(first.target), openDb(second.target)]);
    try {
      const received: string[] = [];
      await stranger.listen('wake', (payload) => received.push(payload));
      await sender.notify('wake', 'not for you');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(received).toEqual([]);
    } finally {
      await Promise.all([sender.close(), stranger.close()]);
    }
  });

  it('confines tables to the schema of the connection', async () => {
    const [a, b] = await Promise.all([openDb(first.target), openDb(second.target)]);
    try {
      await a.query('CREATE TABLE only_here (x int)');
      await expect(b.query('SELECT * FROM only_here')).rejects.toThrow(/only_here/);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
