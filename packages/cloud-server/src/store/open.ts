import { mkdir } from 'node:fs/promises';
import type { Db } from './db.js';
import { openPgliteDb } from './pglite.js';
import { openPostgresDb } from './postgres.js';

/** Where the store lives: a PGlite directory (or memory when `dataDir` is null), or a PostgreSQL URL. */
export type DbTarget = { dataDir: string | null } | { databaseUrl: string; schema?: string };

export async function openDb(target: DbTarget): Promise<Db> {
  if ('databaseUrl' in target) return openPostgresDb(target);
  if (target.dataDir) await mkdir(target.dataDir, { recursive: true });
  return openPgliteDb(target.dataDir);
}
