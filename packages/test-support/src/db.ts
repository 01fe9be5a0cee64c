import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DbTarget } from '../../cloud-server/src/store/open.js';
import { quoteIdentifier } from '../../cloud-server/src/store/postgres.js';

/** The PostgreSQL the Postgres variants run against (trust auth). CI always provides one. */
const POSTGRES_TEST_URL = process.env.DATABASE_URL_TEST ?? 'postgres://postgres@127.0.0.1:5432/test';

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export const postgresAvailable = await reachable(POSTGRES_TEST_URL);
if (!postgresAvailable && (process.env.CI || process.env.DATABASE_URL_TEST)) {
  throw new Error(`PostgreSQL at ${POSTGRES_TEST_URL} is not reachable, and this run requires it.`);
}

export type Engine = 'pglite' | 'postgres';

/** The engines to run a suite on: PGlite always, PostgreSQL when reachable (`describe.each(engines)`). */
export const engines: Engine[] = postgresAvailable ? ['pglite', 'postgres'] : ['pglite'];

export interface PostgresSchema {
  target: { databaseUrl: string; schema: string };
  drop(): Promise<void>;
}

/** A fresh, uniquely named schema on the test PostgreSQL; drop it in `afterAll`. */
export async function createPostgresSchema(): Promise<PostgresSchema> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: POSTGRES_TEST_URL });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
  } finally {
    await client.end();
  }
  return {
    target: { databaseUrl: POSTGRES_TEST_URL, schema },
    async drop() {
      const dropper = new pg.Client({ connectionString: POSTGRES_TEST_URL });
      await dropper.connect();
      try {
        await dropper.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/** The migrated PGlite data directory made by `global-setup.ts`, when the run has one. */
const PGLITE_TEMPLATE = process.env.OPEN_COWORK_TEST_PGLITE_TEMPLATE;

async function isEmptyDir(dir: string): Promise<boolean> {
  return (await readdir(dir).catch(() => [])).length === 0;
}

/**
 * A store target for `engine`: a fresh Postgres schema, or a PGlite directory. A PGlite store
 * starts as a copy of the run's migrated template (much faster to open than a new database);
 * `migrated: false` asks for a new, empty one instead (migration tests).
 */
export async function createTestTarget(
  engine: Engine,
  options: { dataDir?: string; migrated?: boolean } = {},
): Promise<{ target: DbTarget; drop(): Promise<void> }> {
  if (engine === 'postgres') return createPostgresSchema();
  if (!PGLITE_TEMPLATE || options.migrated === false) {
    return { target: { dataDir: options.dataDir ?? null }, drop: async () => undefined };
  }
  if (options.dataDir) {
    // A caller's directory (a restart test) is seeded once and then left to the caller.
    if (await isEmptyDir(options.dataDir)) await cp(PGLITE_TEMPLATE, options.dataDir, { recursive: true });
    return { target: { dataDir: options.dataDir }, drop: async () => undefined };
  }
  const root = await mkdtemp(join(tmpdir(), 'occ-pglite-'));
  const dataDir = join(root, 'data');
  await cp(PGLITE_TEMPLATE, dataDir, { recursive: true });
  return { target: { dataDir }, drop: () => rm(root, { recursive: true, force: true }) };
}
