/**
 * Client configuration, workspace overview and runtime status.
 */

/** Role of the caller in its organisation. */
export type CloudWorkspaceRole = 'owner' | 'admin' | 'member';

/**
 * Managed desktop policy pushed by an organisation. Its fields evolve with the desktop app, so
 * the type stays open.
 */
export type ManagedDesktopPolicyView = Record<string, unknown>;

/** Branding an organisation shows on public pages; servers send `null` when none is set. */
export type CloudPublicBranding = Record<string, unknown>;

/** Body of `GET /api/config`. */
export interface CloudTransportConfig {
  role: string;
  profileName: string;
  features: Record<string, boolean>;
  /** `null` means no restriction. */
  allowedAgents: string[] | null;
  allowedTools: string[] | null;
  allowedMcps: string[] | null;
  managedPolicy?: ManagedDesktopPolicyView;
  publicBranding?: CloudPublicBranding | null;
}

/** Workspace policy: cloud sessions never touch the caller's machine. */
export interface CloudWorkspacePolicy {
  features: Record<string, boolean>;
  allowedAgents: string[] | null;
  allowedTools: string[] | null;
  allowedMcps: string[] | null;
  localFiles: 'disabled';
  localStdioMcps: 'disabled';
  machineRuntimeConfig: 'disabled';
}

/** Body of `GET /api/workspace`. */
export interface CloudWorkspaceOverview {
  tenantId: string;
  tenantName: string | null;
  orgId: string;
  orgName: string;
  userId: string;
  accountId: string;
  email: string;
  role: CloudWorkspaceRole;
  profileName: string;
  policy: CloudWorkspacePolicy;
}

/** How session commands get executed: in the request, by a durable queue, or by another system. */
export type CloudCommandProcessing = 'inline' | 'durable' | 'delegated';

/** Body of `GET /api/runtime/status`. */
export interface CloudRuntimeStatus {
  role: string;
  profileName: string;
  canExecute: boolean;
  commandProcessing: CloudCommandProcessing;
  checkpoints: boolean;
  heartbeats: unknown[];
}
