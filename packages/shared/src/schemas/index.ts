/**
 * `@open-cowork/shared/schemas`: the wire contract as JSON Schemas (TypeBox), one module per domain.
 * The server validates and serialises with them and documents them in its OpenAPI document; the
 * types of the main entry are derived from them. Clients import the types, never this entry, so
 * that no schema library ships to browsers.
 */
export * as admin from './admin.js';
export * as artifacts from './artifacts.js';
export * as auth from './auth.js';
export * as billing from './billing.js';
export * as byok from './byok.js';
export * as capabilities from './capabilities.js';
export * as channels from './channels.js';
export * as common from './common.js';
export * as config from './config.js';
export * as events from './events.js';
export * as health from './health.js';
export * as identity from './identity.js';
export * as sessions from './sessions.js';
export * as settings from './settings.js';
export * as threads from './threads.js';
export * as workflows from './workflows.js';

/** The TypeScript type of the values a schema accepts: `Static<typeof sessions.SessionView>`. */
export type { Static } from '@sinclair/typebox';
