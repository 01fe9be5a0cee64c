import { Type } from '@sinclair/typebox';
import { COMMAND_PROCESSING_MODES, SERVER_PROCESS_ROLES } from '../config.js';
import { OrgMemberRoleSchema } from './identity.js';
import { JsonObject, literals, Nullable, Timestamp as Time } from './common.js';

/** Client configuration, workspace overview and runtime status. */

const Features = Type.Record(Type.String(), Type.Boolean());
/** `null` means no restriction. */
const AllowList = Nullable(Type.Array(Type.String()));

/** `GET /api/config`. */
export const TransportConfigResponse = Type.Object({
  role: Type.String(),
  profileName: Type.String(),
  features: Features,
  allowedAgents: AllowList,
  allowedTools: AllowList,
  allowedMcps: AllowList,
  /** Managed desktop policy pushed by an organisation; its fields evolve with the desktop app. */
  managedPolicy: Type.Optional(JsonObject),
  /** Branding an organisation shows on public pages; null when none is set. */
  publicBranding: Type.Optional(Nullable(JsonObject)),
});

const Disabled = Type.Literal('disabled');
/** Workspace policy: cloud sessions never touch the caller's machine. */
export const WorkspacePolicy = Type.Object({
  features: Features,
  allowedAgents: AllowList,
  allowedTools: AllowList,
  allowedMcps: AllowList,
  localFiles: Disabled,
  localStdioMcps: Disabled,
  machineRuntimeConfig: Disabled,
});

/** `GET /api/workspace`. */
export const WorkspaceOverviewResponse = Type.Object({
  tenantId: Type.String(),
  tenantName: Nullable(Type.String()),
  orgId: Type.String(),
  orgName: Type.String(),
  userId: Type.String(),
  accountId: Type.String(),
  email: Type.String(),
  role: OrgMemberRoleSchema,
  profileName: Type.String(),
  policy: WorkspacePolicy,
});

const Worker = Type.Object(
  {
    workerId: Type.String(),
    startedAt: Time,
    heartbeatAt: Time,
    leases: Type.Integer({ description: 'Sessions whose lease this worker holds.' }),
  },
  { description: 'A runtime worker heard from within one lease period.' },
);

/** `GET /api/runtime/status`: the runtime, its live workers, the leases they hold and the queue. */
export const RuntimeStatusResponse = Type.Object({
  role: Type.String({ description: "The caller's role in the org." }),
  profileName: Type.String(),
  canExecute: Type.Boolean({ description: 'True while at least one runtime worker is live; queued prompts wait otherwise.' }),
  commandProcessing: literals(COMMAND_PROCESSING_MODES),
  checkpoints: Type.Boolean(),
  heartbeats: Type.Array(Type.Object({ workerId: Type.String(), heartbeatAt: Time }), {
    description: 'The last heartbeat of each live worker.',
  }),
  runtime: Type.Object({ name: Type.String(), description: Type.String() }),
  process: Type.Object(
    {
      role: literals(SERVER_PROCESS_ROLES),
      workerId: Nullable(Type.String()),
    },
    { description: 'The server process that answered: its role and its worker, if it runs one.' },
  ),
  workers: Type.Array(Worker),
  leasesHeld: Type.Integer({ description: 'Session leases held by live workers.' }),
  queue: Type.Object(
    {
      pending: Type.Integer({ description: 'Prompts waiting for a worker.' }),
      running: Type.Integer({ description: 'Prompts a worker is running.' }),
    },
    { description: 'Queue depth over all sessions.' },
  ),
});
