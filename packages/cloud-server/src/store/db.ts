/**
 * The one database shape every store module is written against. Two engines implement it with
 * the same SQL: PGlite (embedded, the default) and PostgreSQL through `pg` (DATABASE_URL).
 *
 * A store function takes the executor it runs on as its first parameter: the pool (`Db`) or an
 * open transaction. Joining a transaction is always explicit: inside `db.transaction(work)`, the
 * pool refuses to be used (`POOL_IN_TRANSACTION`), so a statement that forgot its `tx` fails at
 * once instead of deadlocking (PGlite has one connection) or escaping the transaction (PostgreSQL).
 */
export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

export interface Queryable {
  /** One parameterised statement (`$1`, `$2`, …). */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
  /** Sends a NOTIFY; from a transaction it goes out when the transaction commits (and never if it rolls back). */
  notify(channel: string, payload: string): Promise<void>;
}

/**
 * Runs `work` in the caller's open transaction `tx` when it passes one (a service joining it, which
 * the caller asked for by passing it), else in a new transaction of `db`.
 */
export function transact<T>(db: Db, tx: Queryable | undefined, work: (tx: Queryable) => Promise<T>): Promise<T> {
  return tx ? work(tx) : db.transaction(work);
}

export const POOL_IN_TRANSACTION = 'The database pool was used inside a transaction: pass the transaction (tx) instead.';

export interface Db extends Queryable {
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws. Every
   * statement of it runs through `tx`; transactions do not nest.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Subscribes to a NOTIFY channel; resolves to an unsubscribe function. Should the listening
   * connection be lost, the engine listens again by itself and then calls `onResume` once: notices
   * sent meanwhile are lost, so the listener reads once to catch up.
   */
  listen(channel: string, onPayload: (payload: string) => void, onResume?: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
  readonly engine: 'pglite' | 'postgres';
}
