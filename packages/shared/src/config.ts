/**
 * Client configuration, workspace overview and runtime status: their schemas are in
 * `schemas/config.ts`.
 */

import type { Static } from '@sinclair/typebox';
import type { OrgMemberRole } from './identity.js';
import type * as S from './schemas/config.js';

/** Role of the caller in its organisation. */
export type CloudWorkspaceRole = OrgMemberRole;

/** How session commands get executed: in the request, by a durable queue, or by another system. */
export const COMMAND_PROCESSING_MODES = ['inline', 'durable', 'delegated'] as const;
export type CloudCommandProcessing = (typeof COMMAND_PROCESSING_MODES)[number];

/** What a server process runs: the API and a runtime worker, or one of them. */
export const SERVER_PROCESS_ROLES = ['all', 'api', 'worker'] as const;

/**
 * Managed desktop policy pushed by an organisation. Its fields evolve with the desktop app, so
 * the type stays open.
 */
export type ManagedDesktopPolicyView = Record<string, unknown>;

/** Branding an organisation shows on public pages; servers send `null` when none is set. */
export type CloudPublicBranding = Record<string, unknown>;

/** Body of `GET /api/config`. */
export type CloudTransportConfig = Static<typeof S.TransportConfigResponse>;
/** Workspace policy: cloud sessions never touch the caller's machine. */
export type CloudWorkspacePolicy = Static<typeof S.WorkspacePolicy>;
/** Body of `GET /api/workspace`. */
export type CloudWorkspaceOverview = Static<typeof S.WorkspaceOverviewResponse>;
/** Body of `GET /api/runtime/status`. */
export type CloudRuntimeStatus = Static<typeof S.RuntimeStatusResponse>;
