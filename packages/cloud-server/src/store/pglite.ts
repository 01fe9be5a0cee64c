import { AsyncLocalStorage } from 'node:async_hooks';
import { PGlite } from '@electric-sql/pglite';
import type { Db, Queryable, QueryResult } from './db.js';

/**
 * The embedded engine. PGlite has exactly one connection, so everything runs through one queue:
 * a statement outside a transaction waits until the running transaction has finished, otherwise it
 * would silently become part of it. Code running inside `transaction(work)` may still call the
 * outer `db.query`: AsyncLocalStorage recognises it and runs it on the open transaction instead of
 * deadlocking on the queue.
 */
export async function openPgliteDb(dataDir: string | null): Promise<Db> {
  const pglite = await PGlite.create(dataDir ?? undefined);
  const inTransaction = new AsyncLocalStorage<true>();
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
    return inTransaction.getStore() ? raw(sql, params) : exclusive(() => raw(sql, params));
  };

  return {
    engine: 'pglite',
    query,
    transaction(work) {
      if (inTransaction.getStore()) return work({ query: raw });
      return exclusive(() =>
        inTransaction.run(true, async () => {
          await pglite.exec('BEGIN');
          try {
            const result = await work({ query: raw });
            await pglite.exec('COMMIT');
            return result;
          } catch (error) {
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
    async notify(channel, payload) {
      await query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async close() {
      if (closed) return;
      closed = true;
      await exclusive(() => pglite.close());
    },
  };
}
