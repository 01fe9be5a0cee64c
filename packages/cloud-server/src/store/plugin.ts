import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from '../config.js';
import type { Db } from './db.js';
import { migrate } from './migrate.js';
import { openDb } from './open.js';
import { createStores, type Stores } from './stores.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    config: ServerConfig;
    /** Every store, by domain (`stores.ts`); a store function takes its executor first. */
    stores: Stores;
  }
}

export interface StorePluginOptions {
  config: ServerConfig;
  /** An open database owned by the caller; when absent the plugin opens (and closes) `config.store`. */
  db?: Db;
}

/** Opens and migrates the database and shares it as `app.db`, with the stores as `app.stores`. It is closed last, after every route. */
async function storePlugin(app: FastifyInstance, options: StorePluginOptions) {
  const db = options.db ?? (await openDb(options.config.store));
  try {
    await migrate(db);
  } catch (error) {
    if (!options.db) await db.close();
    throw error;
  }
  app.decorate('config', options.config);
  app.decorate('db', db);
  app.decorate('stores', createStores({ sessionIdleMs: options.config.security.sessionIdleMs }));
  if (!options.db) app.addHook('onClose', () => db.close());
}

export const store = fp(storePlugin, { name: 'store' });
