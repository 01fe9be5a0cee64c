import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, POOL_IN_TRANSACTION } from '../../src/store/db.js';
import { openDb } from '../../src/store/open.js';
import { createTestTarget, engines } from '@open-cowork/test-support/db';

describe.each(engines)('store engine contract (%s)', (engine) => {
  let db: Db;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const target = await createTestTarget(engine);
    drop = target.drop;
    db = await openDb(target.target);
    await db.query('CREATE TABLE counters (name text PRIMARY KEY, value int8 NOT NULL)');
  });
  afterAll(async () => {
    await db.close();
    await drop();
  });

  it('returns the same row shapes on both engines: int8 as number, timestamptz as Date, arrays, jsonb', async () => {
    const { rows } = await db.query<{ n: number; t: Date; a: string[]; j: object; c: number }>(
      'SELECT 9007199254740991::int8 AS n, now() AS t, $1::text[] AS a, \'{"k":[1]}\'::jsonb AS j, count(*) AS c FROM (VALUES (1), (2)) v(x)',
      [['x', 'y']],
    );
    expect(rows[0]).toEqual({ n: 9007199254740991, t: expect.any(Date), a: ['x', 'y'], j: { k: [1] }, c: 2 });
  });

  it('reports rowCount for writes and for selects', async () => {
    expect((await db.query("INSERT INTO counters VALUES ('a', 1), ('b', 1)")).rowCount).toBe(2);
    expect((await db.query('UPDATE counters SET value = value + 1 WHERE value = $1', [1])).rowCount).toBe(2);
    expect((await db.query('SELECT * FROM counters')).rowCount).toBe(2);
  });

  it('runs parameterless multi-statement text (migrations)', async () => {
    await db.query('CREATE TABLE multi (x int); INSERT INTO multi VALUES (1); INSERT INTO multi VALUES (2);');
    expect((await db.query('SELECT count(*)::int AS c FROM multi')).rows[0]).toEqual({ c: 2 });
  });

  it('commits a transaction as a whole and rolls it back as a whole when the work throws', async () => {
    await db.transaction(async (tx) => {
      await tx.query("INSERT INTO counters VALUES ('committed', 1)");
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO counters VALUES ('rolled-back', 1)");
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const { rows } = await db.query<{ name: string }>("SELECT name FROM counters WHERE name IN ('committed', 'rolled-back')");
    expect(rows.map((row) => row.name)).toEqual(['committed']);
  });

  it('keeps working after a failed statement inside a transaction', async () => {
    await expect(db.transaction((tx) => tx.query('SELECT * FROM no_such_table'))).rejects.toThrow();
    expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('never interleaves concurrent read-modify-write transactions into lost updates', async () => {
    await db.query("INSERT INTO counters VALUES ('race', 0)");
    await Promise.all(
      Array.from({ length: 20 }, () =>
        db.transaction(async (tx) => {
          const { rows } = await tx.query<{ value: number }>("SELECT value FROM counters WHERE name = 'race' FOR UPDATE");
          await tx.query("UPDATE counters SET value = $1 WHERE name = 'race'", [rows[0]!.value + 1]);
        }),
      ),
    );
    expect((await db.query("SELECT value FROM counters WHERE name = 'race'")).rows[0]).toEqual({ value: 20 });
  });

  it('refuses the pool inside a transaction, so a statement that forgot its tx fails instead of deadlocking or escaping it', async () => {
    await db.transaction(async (tx) => {
      await tx.query("INSERT INTO counters VALUES ('nested', 7)");
      await expect(db.query('SELECT 1')).rejects.toThrow(POOL_IN_TRANSACTION);
      await expect(db.transaction(async () => undefined)).rejects.toThrow(POOL_IN_TRANSACTION);
      await expect(db.notify('store_test', 'stray')).rejects.toThrow(POOL_IN_TRANSACTION);
    });
    // Once the transaction has ended, the pool is free again.
    expect((await db.query<{ value: number }>("SELECT value FROM counters WHERE name = 'nested'")).rows).toEqual([{ value: 7 }]);
  });

  it('delivers NOTIFY payloads to listeners, only after commit, and stops after unlisten', async () => {
    const received: string[] = [];
    const unlisten = await db.listen('store_test', (payload) => received.push(payload));
    await db.notify('store_test', 'one');
    await db.transaction(async (tx) => {
      await tx.notify('store_test', 'in-tx');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(received).not.toContain('in-tx');
    });
    await expect.poll(() => received).toEqual(['one', 'in-tx']);
    await unlisten();
    await db.notify('store_test', 'after');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received).toEqual(['one', 'in-tx']);
  });
});
