import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import type { Db, Queryable, QueryResult } from './db.js';

export interface PostgresDbOptions {
  databaseUrl: string;
  /** Confines every table (and NOTIFY channel) to this schema; created when missing. */
  schema?: string;
  poolSize?: number;
}

const INT8_OID = 20;

/** Both engines hand out `int8`/`count(*)` as numbers (PGlite does so natively); sequences stay far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * PostgreSQL through a `pg` pool. A transaction holds one pooled client from BEGIN to COMMIT;
 * LISTEN uses one dedicated client, since a pooled client may be handed to someone else at any time.
 * As on PGlite, `db.query`/`db.notify`/`db.transaction` called inside a transaction join it (so a
 * NOTIFY sent there goes out on commit), which keeps the two engines' semantics identical.
 */
export async function openPostgresDb(options: PostgresDbOptions): Promise<Db> {
  const { schema } = options;
  const connection = {
    connectionString: options.databaseUrl,
    types,
    ...(schema ? { options: `-c search_path=${quoteIdentifier(schema)}` } : {}),
  };
  if (schema) {
    const setup = new pg.Client({ connectionString: options.databaseUrl });
    await setup.connect();
    try {
      await setup.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    } finally {
      await setup.end();
    }
  }
  const pool = new pg.Pool({ ...connection, max: options.poolSize ?? 10 });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);

  // NOTIFY channels are database-wide: scope them to the schema so that tenants of one database
  // that use separate schemas (and parallel test files) do not hear each other.
  const channelName = (channel: string) => (schema ? `${schema}:${channel}` : channel);

  const run = async <Row>(client: pg.Pool | pg.PoolClient, sql: string, params?: readonly unknown[]) => {
    const result = await client.query(sql, params ? [...params] : undefined);
    const last = Array.isArray(result) ? result.at(-1) : result;
    return { rows: (last?.rows ?? []) as Row[], rowCount: last?.rowCount ?? 0 } satisfies QueryResult<Row>;
  };

  const current = new AsyncLocalStorage<pg.PoolClient>();
  const query: Queryable['query'] = (sql, params) => run(current.getStore() ?? pool, sql, params);

  let listener: Promise<pg.Client> | null = null;
  const handlers = new Map<string, Set<(payload: string) => void>>();
  const connectListener = async (): Promise<pg.Client> => {
    const client = new pg.Client(connection);
    client.on('notification', (message) => {
      for (const handler of handlers.get(message.channel) ?? []) handler(message.payload ?? '');
    });
    client.on('error', () => {
      // The connection is gone: forget it so that the next listen() opens a new one.
      listener = null;
      handlers.clear();
    });
    await client.connect();
    return client;
  };
  const listenerClient = (): Promise<pg.Client> => (listener ??= connectListener());

  return {
    engine: 'postgres',
    query,
    async transaction(work) {
      const joined = current.getStore();
      if (joined) return work({ query: (sql, params) => run(joined, sql, params) });
      const client = await pool.connect();
      const tx: Queryable = { query: (sql, params) => run(client, sql, params) };
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await current.run(client, () => work(tx));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw error;
      } finally {
        // A client whose ROLLBACK failed is in an unknown state: destroy it rather than reuse it.
        client.release(broken);
      }
    },
    async listen(channel, onPayload) {
      const name = channelName(channel);
      const client = await listenerClient();
      let set = handlers.get(name);
      if (!set) {
        set = new Set();
        handlers.set(name, set);
        await client.query(`LISTEN ${quoteIdentifier(name)}`);
      }
      set.add(onPayload);
      return async () => {
        set.delete(onPayload);
        if (set.size > 0 || handlers.get(name) !== set) return;
        handlers.delete(name);
        await client.query(`UNLISTEN ${quoteIdentifier(name)}`).catch(() => undefined);
      };
    },
    async notify(channel, payload) {
      await query('SELECT pg_notify($1, $2)', [channelName(channel), payload]);
    },
    async close() {
      const client = listener;
      listener = null;
      handlers.clear();
      await client?.then((open) => open.end()).catch(() => undefined);
      await pool.end();
    },
  };
}
