import { readdir, readFile } from 'node:fs/promises';
import type { Db } from './db.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The `.sql` files next to this module (the build copies them into dist/store/migrations). */
const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

/** Any constant works; it only has to be the same for every process sharing one database. */
const MIGRATION_LOCK_KEY = 7_140_431_001;

/** Reads `NNNN_name.sql` files in version order. Versions must be unique. */
export async function loadMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => /^\d+_[\w-]+\.sql$/.test(file));
  const migrations = await Promise.all(
    files.map(async (file) => ({
      version: Number.parseInt(file, 10),
      name: file.replace(/\.sql$/, ''),
      sql: await readFile(new URL(file, dir), 'utf8'),
    })),
  );
  migrations.sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i += 1) {
    if (migrations[i]!.version === migrations[i - 1]!.version) {
      throw new Error(`Two migrations share version ${migrations[i]!.version}: renumber one of them.`);
    }
  }
  return migrations;
}

/** True when the database has applied exactly the known migrations (the lock-free fast path). */
async function upToDate(db: Db, known: Set<number>): Promise<boolean> {
  const { rows: table } = await db.query<{ exists: boolean }>(`SELECT to_regclass('schema_migrations') IS NOT NULL AS exists`);
  if (!table[0]?.exists) return false;
  const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations');
  return rows.length === known.size && rows.every((row) => known.has(row.version));
}

/**
 * Applies the pending migrations, each in its own transaction, and returns the names applied.
 * Forward-only: there are no down migrations. Every transaction first takes a transaction-scoped
 * advisory lock, so two processes starting at once on one PostgreSQL apply each migration once.
 */
export async function migrate(db: Db, migrations?: Migration[]): Promise<string[]> {
  const all = migrations ?? (await loadMigrations());
  const applied: string[] = [];
  const known = new Set(all.map((migration) => migration.version));
  // Most starts find nothing to do: one read answers that, instead of a locked transaction per file.
  if (await upToDate(db, known)) return applied;
  for (const migration of all) {
    const ran = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await tx.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           version integer PRIMARY KEY,
           name text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const { rows } = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
      const newer = rows.map((row) => row.version).filter((version) => !known.has(version));
      if (newer.length > 0) {
        throw new Error(
          `The database has migration ${Math.max(...newer)}, which this server does not know: ` +
            'it was written by a newer server. Upgrade this server or point it at another database.',
        );
      }
      if (rows.some((row) => row.version === migration.version)) return false;
      await tx.query(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      return true;
    });
    if (ran) applied.push(migration.name);
  }
  return applied;
}
