import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.js';
import { loadMigrations, migrate, type Migration } from '../../src/store/migrate.js';
import { openDb } from '../../src/store/open.js';
import { createTestTarget, engines } from '@open-cowork/test-support/db';
import { tempDirForTest } from '@open-cowork/test-support/temp-dir';

const extra = (version: number, sql: string): Migration => ({ version, name: `${version}_test`, sql });

describe.each(engines)('migrations (%s)', (engine) => {
  let target: Awaited<ReturnType<typeof createTestTarget>>;
  let db: Db;
  beforeAll(async () => {
    target = await createTestTarget(engine, { migrated: false });
    db = await openDb(target.target);
  });
  afterAll(async () => {
    await db.close();
    await target.drop();
  });

  it('applies every migration file in version order once, and nothing on a second run', async () => {
    const files = await loadMigrations();
    expect(files[0]!.name).toBe('0001_foundation');
    expect(files.map((file) => file.version)).toEqual([...files.map((file) => file.version)].sort((a, b) => a - b));
    expect(await migrate(db)).toEqual(files.map((file) => file.name));
    expect(await migrate(db)).toEqual([]);
    const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((row) => row.version)).toEqual(files.map((file) => file.version));
  });

  it('rolls a failing migration back entirely and does not record it', async () => {
    const known = await loadMigrations();
    const failing = extra(9001, 'CREATE TABLE half_done (x int); SELECT * FROM missing_table;');
    await expect(migrate(db, [...known, failing])).rejects.toThrow(/missing_table/);
    await expect(db.query('SELECT * FROM half_done')).rejects.toThrow(/half_done/);
    expect((await db.query('SELECT 1 FROM schema_migrations WHERE version = 9001')).rowCount).toBe(0);
  });

  it('refuses to run against a database migrated by a newer server, saying what to do', async () => {
    const known = await loadMigrations();
    await migrate(db, [...known, extra(9002, 'SELECT 1')]);
    await expect(migrate(db, known)).rejects.toThrow(/newer server.*Upgrade this server/);
  });

  it('refuses two migration files with one version', async () => {
    const { writeFile } = await import('node:fs/promises');
    const { pathToFileURL } = await import('node:url');
    const dir = await tempDirForTest('migrations-');
    await writeFile(`${dir}/0001_a.sql`, 'SELECT 1');
    await writeFile(`${dir}/0001_b.sql`, 'SELECT 1');
    await expect(loadMigrations(pathToFileURL(`${dir}/`))).rejects.toThrow(/share version 1/);
  });
});

describe.runIf(engines.includes('postgres'))('migrations of two processes starting at once', () => {
  it('applies each migration exactly once', async () => {
    const target = await createTestTarget('postgres');
    const [a, b] = await Promise.all([openDb(target.target), openDb(target.target)]);
    try {
      const [ranA, ranB] = await Promise.all([migrate(a), migrate(b)]);
      const all = (await loadMigrations()).map((migration) => migration.name);
      expect([...ranA, ...ranB].sort()).toEqual(all.sort());
    } finally {
      await Promise.all([a.close(), b.close()]);
      await target.drop();
    }
  });
});
