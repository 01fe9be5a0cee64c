import { AsyncLocalStorage } from 'node:async_hooks';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { type Db, POOL_IN_TRANSACTION, type Queryable, type QueryResult } from './db.js';

/** The owner's lock in an embedded store's data directory (the role of PostgreSQL's `postmaster.pid`). */
const LOCK_FILE = 'open-cowork-cloud.lock';

interface LockHolder {
  pid: number;
  host: string;
  since: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the data directory for this process alone: two processes on one PGlite directory would
 * each work on their own copy and lose each other's writes. A lock whose process is gone (killed)
 * is stale and taken over; a live holder is named in the refusal. Resolves to the release.
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const file = join(dataDir, LOCK_FILE);
  const mine: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (;;) {
    try {
      await writeFile(file, JSON.stringify(mine), { flag: 'wx' });
      return () => rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder: LockHolder | null = null;
    try {
      holder = JSON.parse(await readFile(file, 'utf8')) as LockHolder;
    } catch {
      // Unreadable (a crash while writing it): stale.
    }
    // A holder on another host cannot be checked, so it is taken at its word.
    if (holder && (holder.host !== mine.host || isAlive(holder.pid))) {
      throw new Error(
        `The embedded store in ${dataDir} is in use by process ${holder.pid} on ${holder.host} (since ${holder.since}). ` +
          `Stop that server first, or start this one with another --data-dir. (If no such server runs, delete ${file}.)`,
      );
    }
    await rm(file, { force: true });
  }
}

/**
 * The embedded engine. PGlite has exactly one connection, so everything runs through one queue:
 * a statement outside a transaction waits until the running transaction has finished, otherwise it
 * would silently become part of it. Code running inside `transaction(work)` that calls the pool
 * instead of `tx` would wait on that queue forever: AsyncLocalStorage recognises it and refuses
 * (`POOL_IN_TRANSACTION`). A data directory is locked for this process until `close()`.
 */
export async function openPgliteDb(dataDir: string | null): Promise<Db> {
  const unlock = dataDir ? await lockDataDir(dataDir) : async () => undefined;
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(dataDir ?? undefined);
  } catch (error) {
    await unlock();
    throw error;
  }
  const transaction = new AsyncLocalStorage<{ open: boolean }>();
  const inTransaction = () => transaction.getStore()?.open === true;
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };

  const raw = async <Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> => {
    // Without parameters the text may hold several statements (migrations): only `exec` (the simple
    // protocol) accepts that, exactly as `pg` does for a parameterless query.
    const result = params
      ? await pglite.query<Row>(sql, [...params])
      : ((await pglite.exec(sql)).at(-1) as { rows: Row[]; affectedRows?: number } | undefined);
    const rows = result?.rows ?? [];
    // SELECTs report affectedRows 0; writes without RETURNING report no rows.
    return { rows, rowCount: Math.max(result?.affectedRows ?? 0, rows.length) };
  };

  const query: Queryable['query'] = (sql, params) => {
    if (closed) return Promise.reject(new Error('The database is closed.'));
    if (inTransaction()) return Promise.reject(new Error(POOL_IN_TRANSACTION));
    return exclusive(() => raw(sql, params));
  };

  const notify = async (on: Queryable['query'], channel: string, payload: string) => {
    await on('SELECT pg_notify($1, $2)', [channel, payload]);
  };

  return {
    engine: 'pglite',
    query,
    transaction(work) {
      if (inTransaction()) return Promise.reject(new Error(POOL_IN_TRANSACTION));
      const state = { open: true };
      const txQuery: Queryable['query'] = (sql, params) =>
        state.open ? raw(sql, params) : Promise.reject(new Error('The transaction has ended.'));
      const tx: Queryable = { query: txQuery, notify: (channel, payload) => notify(txQuery, channel, payload) };
      return exclusive(() =>
        transaction.run(state, async () => {
          await pglite.exec('BEGIN');
          try {
            const result = await work(tx);
            // The work is done: listeners that COMMIT wakes (in this async context) use the pool.
            state.open = false;
            await pglite.exec('COMMIT');
            return result;
          } catch (error) {
            state.open = false;
            // Without this the single connection would stay in an aborted transaction.
            await pglite.exec('ROLLBACK');
            throw error;
          }
        }),
      );
    },
    // The embedded engine never loses its connection: `onResume` is never needed.
    async listen(channel, onPayload) {
      const unsubscribe = await pglite.listen(channel, onPayload);
      return () => unsubscribe();
    },
    notify: (channel, payload) => notify(query, channel, payload),
    async close() {
      if (closed) return;
      closed = true;
      await exclusive(() => pglite.close());
      await unlock();
    },
  };
}
