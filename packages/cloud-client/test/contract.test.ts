import type {
  admin,
  artifacts,
  billing,
  byok,
  capabilities,
  channels,
  config,
  identity,
  sessions,
  Static,
  settings,
  threads,
  workflows,
} from '@open-cowork/shared/schemas';
import { expectTypeOf, it } from 'vitest';
import type { CloudTransportAdapter } from '../src/adapter.js';

// The server answers with these schemas of `@open-cowork/shared/schemas` (its own test checks that
// each route declares them); here, each client method resolves to the type derived from the same
// schema: one definition per shape, from the server's serializer to the client's return type.
// Type-level: `npm run typecheck` (part of `npm test`) fails when a method and its schema part.

type Answer<M extends keyof CloudTransportAdapter> = CloudTransportAdapter[M] extends (...args: never[]) => Promise<infer R> ? R : never;

/** What each method resolves to: the route's response schema, or the field of it the method unwraps. */
interface Contract {
  listSessionsPage: Static<typeof sessions.SessionListPage>;
  createSession: Static<typeof sessions.SessionView>;
  importSession: Static<typeof sessions.SessionView>;
  getSession: Static<typeof sessions.SessionView>;
  renameSession: Static<typeof sessions.SessionView>;
  closeSession: Static<typeof sessions.SessionView>;
  validateProjectSource: Static<typeof sessions.ValidateProjectSourceResult>;
  uploadProjectSnapshot: Static<typeof sessions.ProjectSnapshotUploadResult>;
  promptSession: Static<typeof sessions.SessionCommandResponse>;
  abortSession: Static<typeof sessions.SessionCommandResponse>;
  replyToQuestion: Static<typeof sessions.SessionCommandResponse>;
  rejectQuestion: Static<typeof sessions.SessionCommandResponse>;
  respondToPermission: Static<typeof sessions.SessionCommandResponse>;
  listSessions: Static<typeof sessions.SessionListPage>['sessions'];

  getConfig: Static<typeof config.TransportConfigResponse>;
  getWorkspace: Static<typeof config.WorkspaceOverviewResponse>;
  getRuntimeStatus: Static<typeof config.RuntimeStatusResponse>;

  listApiTokens: Static<typeof identity.TokenListResponse>['tokens'];
  issueApiToken: Static<typeof identity.IssueTokenResponse>;
  revokeApiToken: Static<typeof identity.RevokeTokenResponse>['token'];
  grantApiTokenChannelBinding: Static<typeof identity.GrantResponse>;
  listOrgMembers: Static<typeof identity.MemberListResponse>['members'];
  inviteOrgMember: Static<typeof identity.InviteResponse>['member'];
  updateOrgMember: Static<typeof identity.MemberResponse>['member'];
  getAdminPolicy: Static<typeof admin.AdminPolicyResponse>['policy'];
  listAdminAuditEventsPage: Static<typeof admin.AuditPageResponse>;

  listArtifacts: Static<typeof artifacts.ArtifactListResponse>['artifacts'];
  uploadArtifact: Static<typeof artifacts.ArtifactResponse>['artifact'];
  updateArtifactStatus: Static<typeof artifacts.ArtifactResponse>['artifact'];
  indexArtifacts: Static<typeof artifacts.ArtifactIndexResponse>;

  listUsageEvents: Static<typeof billing.UsageEventsResponse>['events'];
  getUsageSummary: Static<typeof billing.UsageSummarySchema>;
  getDiagnosticsBundle: Static<typeof billing.DiagnosticsSchema>;
  getBillingSubscription: Static<typeof billing.BillingSubscriptionPayloadSchema>;
  createBillingCheckout: Static<typeof billing.CheckoutResponse>;
  createBillingPortal: Static<typeof billing.PortalResponse>;

  listByokSecrets: Static<typeof byok.SecretListResponse>['secrets'];
  getByokSecret: Static<typeof byok.SecretResponse>['secret'];
  setByokSecret: Static<typeof byok.SetSecretResponse>['secret'];
  validateByokSecret: Static<typeof byok.ValidateResponse>['secret'];
  deleteByokSecret: Static<typeof byok.DisableResponse>['secret'];

  listCapabilityTools: Static<typeof capabilities.ToolListResponse>['tools'];
  getCapabilityTool: Static<typeof capabilities.ToolResponse>['tool'];
  listCapabilitySkills: Static<typeof capabilities.SkillListResponse>['skills'];

  listSettings: Static<typeof settings.SettingListResponse>['settings'];
  getSetting: Static<typeof settings.SettingMaybeResponse>['setting'];
  setSetting: Static<typeof settings.SettingResponse>['setting'];

  listThreadSmartFilters: Static<typeof threads.FilterListResponse>['filters'];
  createThreadSmartFilter: Static<typeof threads.FilterResponse>['filter'];

  createWorkflow: Static<typeof workflows.WorkflowCreateResponse>;
  getWorkflow: Static<typeof workflows.WorkflowResponse>['workflow'];
  pauseWorkflow: Static<typeof workflows.WorkflowResponse>['workflow'];
  resumeWorkflow: Static<typeof workflows.WorkflowResponse>['workflow'];
  archiveWorkflow: Static<typeof workflows.WorkflowResponse>['workflow'];
  rotateWorkflowWebhookSecret: Static<typeof workflows.WorkflowRotationResponse>;
  runWorkflow: Static<typeof workflows.WorkflowRunResponse>['run'];

  listChannelProviders: Static<typeof channels.Responses.providers>['providers'];
  listHeadlessAgents: Static<typeof channels.Responses.agents>['agents'];
  createHeadlessAgent: Static<typeof channels.Responses.agent>['agent'];
  updateHeadlessAgent: Static<typeof channels.Responses.agent>['agent'];
  listChannelBindings: Static<typeof channels.Responses.bindings>['bindings'];
  createChannelBinding: Static<typeof channels.Responses.binding>['binding'];
  disconnectChannelBinding: Static<typeof channels.Responses.binding>['binding'];
  listChannelIdentities: Static<typeof channels.Responses.identities>['identities'];
  resolveChannelIdentity: Static<typeof channels.Responses.identity>['identity'];
  bindChannelSession: Static<typeof channels.Responses.sessionBinding>;
  getChannelSessionSnapshot: Static<typeof channels.Responses.sessionView>;
  promptChannelSession: Static<typeof channels.Responses.prompt>;
  updateChannelCursor: Static<typeof channels.Responses.cursor>['result'];
  claimChannelProviderEvent: Static<typeof channels.Responses.claim>;
  resolveChannelInteraction: Static<typeof channels.Responses.interactionResolved>;
  createChannelInteraction: Static<typeof channels.Responses.interactionCreated>;
  createChannelDelivery: Static<typeof channels.Responses.delivery>['delivery'];
  listChannelDeliveries: Static<typeof channels.Responses.deliveries>['deliveries'];
}

it('each client method resolves to the type of the schema its route answers with', () => {
  expectTypeOf<{ [M in keyof Contract]: Answer<M> }>().toEqualTypeOf<Contract>();
});
