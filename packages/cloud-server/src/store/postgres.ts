import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { type Db, POOL_IN_TRANSACTION, type Queryable, type QueryResult } from './db.js';

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
 * LISTEN uses one dedicated client (`createListener`), since a pooled client may be handed to someone else at any time.
 * As on PGlite, the pool refuses to be used inside a transaction (`POOL_IN_TRANSACTION`): what
 * belongs to it runs through `tx` (a NOTIFY sent there goes out on commit).
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

  const transaction = new AsyncLocalStorage<{ open: boolean }>();
  const inTransaction = () => transaction.getStore()?.open === true;
  const query: Queryable['query'] = (sql, params) =>
    inTransaction() ? Promise.reject(new Error(POOL_IN_TRANSACTION)) : run(pool, sql, params);
  const notify = async (on: Queryable['query'], channel: string, payload: string) => {
    await on('SELECT pg_notify($1, $2)', [channelName(channel), payload]);
  };

  const listening = createListener(connection);
  return {
    engine: 'postgres',
    query,
    async transaction(work) {
      if (inTransaction()) throw new Error(POOL_IN_TRANSACTION);
      const client = await pool.connect();
      const state = { open: true };
      const txQuery: Queryable['query'] = (sql, params) =>
        state.open ? run(client, sql, params) : Promise.reject(new Error('The transaction has ended.'));
      const tx: Queryable = { query: txQuery, notify: (channel, payload) => notify(txQuery, channel, payload) };
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await transaction.run(state, () => work(tx));
        state.open = false;
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw error;
      } finally {
        state.open = false;
        // A client whose ROLLBACK failed is in an unknown state: destroy it rather than reuse it.
        client.release(broken);
      }
    },
    listen: (channel, onPayload, onResume) => listening.listen(channelName(channel), onPayload, onResume),
    notify: (channel, payload) => notify(query, channel, payload),
    async close() {
      await listening.close();
      await pool.end();
    },
  };
}

interface Listening {
  onPayload: (payload: string) => void;
  onResume: (() => void) | undefined;
}

const RECONNECT_FIRST_MS = 100;
const RECONNECT_MAX_MS = 1_000;

/**
 * The one LISTEN connection of a pool, for every channel. When it is lost (a database restart, a
 * network cut), it reconnects with exponential backoff and jitter, listens again on every channel,
 * and then calls each listener's `onResume` once: notices sent while it was away are gone, so
 * whoever relies on them reads once to catch up.
 */
function createListener(connection: pg.ClientConfig) {
  const handlers = new Map<string, Set<Listening>>();
  let client: pg.Client | null = null;
  let connecting: Promise<pg.Client> | null = null;
  let reconnecting = false;
  let closed = false;

  const connect = async (): Promise<pg.Client> => {
    const opened = new pg.Client({ ...connection, keepAlive: true });
    opened.on('notification', (message) => {
      for (const handler of handlers.get(message.channel) ?? []) handler.onPayload(message.payload ?? '');
    });
    const lost = () => {
      if (client !== opened) return;
      client = null;
      void reconnect();
    };
    opened.on('error', lost).on('end', lost);
    try {
      await opened.connect();
    } catch (error) {
      await opened.end().catch(() => undefined);
      throw error;
    }
    client = opened;
    return opened;
  };

  const current = (): Promise<pg.Client> => {
    if (client) return Promise.resolve(client);
    connecting ??= connect().finally(() => {
      connecting = null;
    });
    return connecting;
  };

  async function reconnect(): Promise<void> {
    if (reconnecting) return;
    reconnecting = true;
    let delay = RECONNECT_FIRST_MS;
    try {
      while (!closed && handlers.size > 0) {
        try {
          const opened = await current();
          for (const channel of handlers.keys()) await opened.query(`LISTEN ${quoteIdentifier(channel)}`);
          if (client !== opened) continue;
          for (const set of handlers.values()) for (const handler of set) handler.onResume?.();
          return;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, delay / 2 + Math.random() * (delay / 2)));
          delay = Math.min(delay * 2, RECONNECT_MAX_MS);
        }
      }
    } finally {
      reconnecting = false;
    }
  }

  return {
    async listen(channel: string, onPayload: (payload: string) => void, onResume?: () => void): Promise<() => Promise<void>> {
      const handler: Listening = { onPayload, onResume };
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
        try {
          await (await current()).query(`LISTEN ${quoteIdentifier(channel)}`);
        } catch (error) {
          handlers.delete(channel);
          throw error;
        }
      }
      set.add(handler);
      const own = set;
      return async () => {
        own.delete(handler);
        if (own.size > 0 || handlers.get(channel) !== own) return;
        handlers.delete(channel);
        await client?.query(`UNLISTEN ${quoteIdentifier(channel)}`).catch(() => undefined);
      };
    },
    async close(): Promise<void> {
      closed = true;
      handlers.clear();
      const open = client ?? (await connecting?.catch(() => null));
      client = null;
      await open?.end().catch(() => undefined);
    },
  };
}
