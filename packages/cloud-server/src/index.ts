/** The reference Open Cowork Cloud as a library: build the app, configure it, open its store. */
export { buildApp, type BuildAppOptions } from './app.js';
export { createConfig, loadConfig, DEFAULT_DATA_DIR, type ConfigInput, type OidcConfig, type ServerConfig } from './config.js';
export { httpError, HttpError } from './errors.js';
export type { Db, Queryable, QueryResult } from './store/db.js';
export { openDb, type DbTarget } from './store/open.js';
export { migrate, loadMigrations, type Migration } from './store/migrate.js';
export type { Principal, RouteAccess, TokenScope, AuthSource, MemberRole } from './auth/principal.js';
