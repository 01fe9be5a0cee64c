/**
 * What the OpenAPI document says of each operation beyond its schemas: its `operationId`, tag and
 * summary, keyed by `METHOD /path` as the document writes paths. `openapi.ts` applies it; a test
 * checks that every route has an entry and that no entry is left without a route. Kept out of the
 * route files so that a route stays a schema, an access rule and a handler.
 *
 * The `operationId` is `<domain>.<method>`: for an operation the client calls, `<domain>` is the
 * client domain (`@open-cowork/cloud-client/domains/<domain>`) and `<method>` the client method
 * that sends this one request (`sessions.createSession` is `client.createSession`). Further
 * methods built on the same request (pagers, iterators, helpers) are listed in `also` and appear
 * in the document as `x-client-methods`. An operation no client method calls (sign-in, health,
 * metrics, webhooks, Cloud Web, operator jobs) is marked `x-client: false`; its id names what it
 * does in the same `<tag>.<verb…>` form. The tag of an operation is always the id's prefix.
 */

import type { StreamName } from './openapi-streams.js';

/** The document's tags: one per client domain, and the server's own surfaces. */
export const TAGS = {
  sessions: 'Cloud sessions: create, list, read, rename, close, import, and the commands a turn takes (prompt, abort, answers).',
  transport: 'Event streams over SSE (`text/event-stream`): a session’s events and the workspace stream, resumable by sequence.',
  artifacts: 'Files a session produced or was given, and their review status.',
  threads: 'Searching sessions as threads: full-text search, tags and saved smart filters.',
  workflows: 'Saved prompts that run on demand, on a schedule or from a signed webhook.',
  channels:
    'Chat channels through a gateway: agents, bindings, identities, thread-bound sessions, inbound provider events, ' +
    'interactions and the outbound delivery queue with its claiming stream.',
  identity: 'API tokens, organisation members and invitations, the admin policy and the audit log.',
  byok: 'Bring-your-own-key provider secrets: stored encrypted, never read back, validated against the provider.',
  billing: 'Subscription, checkout and portal links, usage events and summaries, diagnostics.',
  capabilities: 'The read-only catalog of tools and skills, with skill bundles.',
  settings: 'JSON settings per user, or tenant-wide for admins.',
  config: 'The client configuration, the workspace overview and the runtime status.',
  auth: 'Signing in and out: cookie sessions for Cloud Web, the OIDC login flow, and the sign-in configuration for Desktop.',
  webhooks: 'Inbound signed webhooks that start workflow runs.',
  health: 'Liveness and readiness probes, and Prometheus metrics for the operator.',
  web: 'Cloud Web, the browser workbench, and its assets.',
  reference: 'This API reference: the OpenAPI document.',
} as const;

type Tag = keyof typeof TAGS;

export interface OperationFacts {
  /** `<tag>.<method>`, see the module comment. */
  id: `${Tag}.${string}`;
  summary: string;
  /** `false` when no client method calls the operation. */
  client: boolean;
  /** Further client methods that send this request (pagers, iterators, helpers). */
  also?: string[];
  /** An SSE operation: which stream it serves (`openapi-streams.ts`). */
  stream?: StreamName;
  /**
   * Answers that are not JSON (redirects, pages, files, text), which a route's response schema
   * cannot state: they replace the default response the document gives a route without one.
   */
  responses?: Record<string, object>;
}

const client = (id: OperationFacts['id'], summary: string, also?: string[]): OperationFacts => ({
  id,
  summary,
  client: true,
  ...(also ? { also } : {}),
});
const server = (id: OperationFacts['id'], summary: string): OperationFacts => ({ id, summary, client: false });
const sse = (stream: StreamName, facts: OperationFacts): OperationFacts => ({ ...facts, stream });
const answering = (responses: Record<string, object>, facts: OperationFacts): OperationFacts => ({ ...facts, responses });

const redirect = (description: string) => ({
  302: { description, headers: { location: { description: 'Where to go next.', schema: { type: 'string' } } } },
});
const text = (mediaType: string, description: string) => ({
  200: { description, content: { [mediaType]: { schema: { type: 'string' } } } },
});

export const OPERATIONS: Record<string, OperationFacts> = {
  // sessions
  'GET /api/sessions': client('sessions.listSessionsPage', 'List sessions, one page', ['listSessions', 'iterateSessions']),
  'POST /api/sessions': client('sessions.createSession', 'Create a session'),
  'POST /api/project-sources/validate': client('sessions.validateProjectSource', 'Check a project source against the policy'),
  'POST /api/project-sources/snapshots': client('sessions.uploadProjectSnapshot', 'Upload a project snapshot'),
  'POST /api/import/sessions': client('sessions.importSession', 'Import a local session'),
  'GET /api/sessions/{id}': client('sessions.getSession', 'Get a session with its projection'),
  'PATCH /api/sessions/{id}': client('sessions.renameSession', 'Rename a session'),
  'POST /api/sessions/{id}/close': client('sessions.closeSession', 'Close a session'),
  'GET /api/sessions/{id}/view': server('sessions.getSessionView', 'Get a session’s projection (the view)'),
  'POST /api/sessions/{id}/prompt': client('sessions.promptSession', 'Queue a prompt'),
  'POST /api/sessions/{id}/abort': client('sessions.abortSession', 'Queue an abort of the running turn'),
  'POST /api/sessions/{id}/question-reply': client('sessions.replyToQuestion', 'Answer a question of the agent'),
  'POST /api/sessions/{id}/question-reject': client('sessions.rejectQuestion', 'Decline a question of the agent'),
  'POST /api/sessions/{id}/permission-respond': client('sessions.respondToPermission', 'Answer a permission request'),

  // transport
  'GET /api/sessions/{id}/events': sse(
    'session',
    client('transport.subscribeSessionEvents', 'Stream a session’s events (SSE)', ['subscribeSessionEventsResumable', 'sessionEventsUrl']),
  ),
  'GET /api/events': sse(
    'workspace',
    client('transport.subscribeWorkspaceEvents', 'Stream the workspace’s events (SSE)', ['workspaceEventsUrl']),
  ),

  // artifacts
  'GET /api/artifacts': client('artifacts.indexArtifacts', 'List artifacts across sessions'),
  'GET /api/sessions/{id}/artifacts': client('artifacts.listArtifacts', 'List a session’s artifacts'),
  'POST /api/sessions/{id}/artifacts': client('artifacts.uploadArtifact', 'Upload an artifact'),
  'GET /api/sessions/{id}/artifacts/{artifactId}': client('artifacts.readArtifactAttachment', 'Read an artifact with its content'),
  'POST /api/sessions/{id}/artifacts/{artifactId}/status': client('artifacts.updateArtifactStatus', 'Set an artifact’s review status'),

  // threads
  'GET /api/threads': client('threads.searchThreads', 'Search threads', ['threadFacets']),
  'GET /api/threads/tags': client('threads.listThreadTags', 'List thread tags', ['threadFacets']),
  'POST /api/threads/tags': client('threads.createThreadTag', 'Create a thread tag'),
  'PATCH /api/threads/tags/{tagId}': client('threads.updateThreadTag', 'Update a thread tag'),
  'DELETE /api/threads/tags/{tagId}': client('threads.deleteThreadTag', 'Delete a thread tag'),
  'POST /api/threads/tags/{tagId}/apply': client('threads.applyThreadTags', 'Tag threads'),
  'POST /api/threads/tags/{tagId}/remove': client('threads.removeThreadTags', 'Untag threads'),
  'GET /api/threads/smart-filters': client('threads.listThreadSmartFilters', 'List smart filters'),
  'POST /api/threads/smart-filters': client('threads.createThreadSmartFilter', 'Create a smart filter'),
  'PATCH /api/threads/smart-filters/{id}': client('threads.updateThreadSmartFilter', 'Update a smart filter'),
  'DELETE /api/threads/smart-filters/{id}': client('threads.deleteThreadSmartFilter', 'Delete a smart filter'),

  // workflows
  'GET /api/workflows': client('workflows.listWorkflows', 'List workflows, one page', ['iterateWorkflows']),
  'POST /api/workflows': client('workflows.createWorkflow', 'Create a workflow'),
  'GET /api/workflows/{id}': client('workflows.getWorkflow', 'Get a workflow with its recent runs'),
  'POST /api/workflows/{id}/run': client('workflows.runWorkflow', 'Start a workflow run'),
  'POST /api/workflows/{id}/pause': client('workflows.pauseWorkflow', 'Pause a workflow'),
  'POST /api/workflows/{id}/resume': client('workflows.resumeWorkflow', 'Resume a workflow'),
  'POST /api/workflows/{id}/archive': client('workflows.archiveWorkflow', 'Archive a workflow'),
  'POST /api/workflows/{id}/rotate-webhook-secret': client('workflows.rotateWorkflowWebhookSecret', 'Rotate a workflow’s webhook secret'),
  'POST /api/workflows/scheduler/tick': server('workflows.tickScheduler', 'Run the workflow scheduler once (operator)'),

  // channels
  'GET /api/channels/providers': client('channels.listChannelProviders', 'List channel providers'),
  'GET /api/channels/agents': client('channels.listHeadlessAgents', 'List headless agents'),
  'POST /api/channels/agents': client('channels.createHeadlessAgent', 'Create a headless agent'),
  'PATCH /api/channels/agents/{id}': client('channels.updateHeadlessAgent', 'Update a headless agent'),
  'GET /api/channels/bindings': client('channels.listChannelBindings', 'List channel bindings'),
  'POST /api/channels/bindings': client('channels.createChannelBinding', 'Create a channel binding'),
  'PATCH /api/channels/bindings/{id}': client('channels.updateChannelBinding', 'Update or disconnect a channel binding', [
    'disconnectChannelBinding',
  ]),
  'GET /api/channels/identities': client('channels.listChannelIdentities', 'List channel identities'),
  'POST /api/channels/identities/resolve': client('channels.resolveChannelIdentity', 'Resolve a chat user to an account'),
  'POST /api/channels/sessions/bind': client('channels.bindChannelSession', 'Bind a chat thread to a session'),
  'GET /api/channels/sessions/by-thread': client('channels.getChannelSessionByThread', 'Find the session bound to a chat thread'),
  'GET /api/channels/sessions/{bindingId}/snapshot': client('channels.getChannelSessionSnapshot', 'Get a bound session’s view'),
  'GET /api/channels/sessions/{bindingId}/events': sse(
    'session',
    client('channels.subscribeChannelSessionEvents', 'Stream a bound session’s events (SSE)'),
  ),
  'GET /api/channels/sessions/{bindingId}/artifacts/{artifactId}': client(
    'channels.readChannelArtifactAttachment',
    'Read an artifact of a bound session',
  ),
  'POST /api/channels/sessions/prompt': client('channels.promptChannelSession', 'Queue a prompt from a chat thread'),
  'POST /api/channels/cursor': client('channels.updateChannelCursor', 'Move a chat thread’s read cursor'),
  'POST /api/channels/provider-events/claim': client('channels.claimChannelProviderEvent', 'Claim an inbound provider event'),
  'POST /api/channels/provider-events/{eventId}/complete': client(
    'channels.completeChannelProviderEvent',
    'Complete an inbound provider event',
  ),
  'POST /api/channels/interactions': client('channels.createChannelInteraction', 'Record a pending chat interaction'),
  'POST /api/channels/interactions/resolve': client('channels.resolveChannelInteraction', 'Resolve a chat interaction'),
  'POST /api/channels/deliveries': client('channels.createChannelDelivery', 'Queue an outbound delivery'),
  'GET /api/channels/deliveries': client('channels.listChannelDeliveries', 'List outbound deliveries'),
  'GET /api/channels/deliveries/stream': sse(
    'deliveries',
    client('channels.subscribeChannelDeliveries', 'Claim deliveries as a stream (SSE)', ['channelDeliveriesUrl']),
  ),
  'POST /api/channels/deliveries/{id}/ack': client('channels.ackChannelDelivery', 'Acknowledge a delivery'),
  'POST /api/channels/deliveries/{id}/renew': client('channels.renewChannelDeliveryLease', 'Renew a delivery’s lease'),
  'POST /api/channels/deliveries/{id}/retry': client('channels.retryChannelDelivery', 'Fail a delivery for a later retry'),
  'POST /api/channels/deliveries/{id}/dead-letter': client('channels.deadLetterChannelDelivery', 'Dead-letter a delivery'),

  // identity
  'GET /api/api-tokens': client('identity.listApiTokens', 'List API tokens'),
  'POST /api/api-tokens': client('identity.issueApiToken', 'Issue an API token'),
  'DELETE /api/api-tokens/{id}': client('identity.revokeApiToken', 'Revoke an API token'),
  'POST /api/api-tokens/{id}/channel-bindings': client('identity.grantApiTokenChannelBinding', 'Grant a token a channel binding'),
  'GET /api/admin/members': client('identity.listOrgMembers', 'List organisation members'),
  'POST /api/admin/members': client('identity.inviteOrgMember', 'Invite a member'),
  'POST /api/admin/members/{accountId}/update': client('identity.updateOrgMember', 'Change a member’s role or status'),
  'POST /api/invites/accept': server('identity.acceptInvite', 'Accept an invitation'),
  'GET /api/admin/audit': client('identity.listAdminAuditEventsPage', 'List audit events, one page', [
    'listAdminAuditEvents',
    'iterateAdminAuditEvents',
  ]),
  'GET /api/admin/policy': client('identity.getAdminPolicy', 'Get the admin policy'),

  // byok
  'GET /api/byok': client('byok.listByokSecrets', 'List provider secrets (metadata only)'),
  'GET /api/byok/{providerId}': client('byok.getByokSecret', 'Get a provider secret’s metadata'),
  'POST /api/byok/{providerId}': client('byok.setByokSecret', 'Store a provider secret'),
  'DELETE /api/byok/{providerId}': client('byok.deleteByokSecret', 'Delete a provider secret'),
  'POST /api/byok/{providerId}/validate': client('byok.validateByokSecret', 'Validate a provider secret'),
  'POST /api/byok/{providerId}/override': client('byok.overrideByokSecretValidation', 'Override a failed validation'),

  // billing
  'GET /api/usage/events': client('billing.listUsageEvents', 'List usage events'),
  'GET /api/usage/summary': client('billing.getUsageSummary', 'Summarise usage'),
  'GET /api/billing/subscription': client('billing.getBillingSubscription', 'Get the subscription'),
  'POST /api/billing/checkout': client('billing.createBillingCheckout', 'Start a checkout'),
  'POST /api/billing/portal': client('billing.createBillingPortal', 'Open the billing portal'),
  'GET /api/diagnostics': client('billing.getDiagnosticsBundle', 'Get a diagnostics bundle'),

  // capabilities
  'GET /api/capabilities': server('capabilities.getCatalog', 'Get the whole catalog'),
  'GET /api/capabilities/tools': client('capabilities.listCapabilityTools', 'List tools'),
  'GET /api/capabilities/tools/{id}': client('capabilities.getCapabilityTool', 'Get a tool'),
  'GET /api/capabilities/skills': client('capabilities.listCapabilitySkills', 'List skills'),
  'GET /api/capabilities/skills/{name}': server('capabilities.getSkill', 'Get a skill'),
  'GET /api/capabilities/skills/{name}/bundle': client('capabilities.getCapabilitySkillBundle', 'Get a skill with its bundle files', [
    'readCapabilitySkillBundleFile',
    'readCapabilitySkillBundleFiles',
  ]),

  // settings
  'GET /api/settings': client('settings.listSettings', 'List settings'),
  'POST /api/settings': server('settings.createSetting', 'Write a setting named in the body'),
  'GET /api/settings/{key}': client('settings.getSetting', 'Get a setting'),
  'PUT /api/settings/{key}': client('settings.setSetting', 'Write a setting'),
  'POST /api/settings/{key}': server('settings.postSetting', 'Write a setting (as PUT)'),
  'PATCH /api/settings/{key}': server('settings.patchSetting', 'Write a setting (as PUT, a full replacement)'),
  'DELETE /api/settings/{key}': server('settings.deleteSetting', 'Delete a setting'),

  // config
  'GET /api/config': client('config.getConfig', 'Get the client configuration'),
  'GET /api/workspace': client('config.getWorkspace', 'Get the workspace overview'),
  'GET /api/runtime/status': client('config.getRuntimeStatus', 'Get the runtime status'),

  // auth
  'POST /auth/session': server('auth.createSession', 'Open a Cloud Web session with a token'),
  'GET /auth/me': server('auth.me', 'Who is signed in'),
  'POST /auth/logout': server('auth.logout', 'Sign out'),
  'GET /auth/sessions': server('auth.listSessions', 'List my Cloud Web sessions'),
  'DELETE /auth/sessions/{id}': server('auth.revokeSession', 'End a Cloud Web session'),
  'GET /auth/desktop/config': server('auth.getSignInConfig', 'Get the OIDC sign-in configuration'),
  'GET /auth/login': answering(
    redirect('To the provider’s authorization endpoint.'),
    server('auth.login', 'Start the OIDC sign-in (redirect)'),
  ),
  'GET /auth/callback': answering(
    redirect('Back to the page the sign-in started from, with a cookie session.'),
    server('auth.callback', 'Finish the OIDC sign-in (redirect)'),
  ),

  // webhooks
  'POST /webhooks/workflows/{id}': server('webhooks.runWorkflow', 'Start a workflow run from a signed webhook'),

  // health
  'GET /livez': server('health.live', 'Liveness probe'),
  'GET /readyz': server('health.ready', 'Readiness probe (the store answers)'),
  'GET /api/metrics': server('health.metrics', 'Prometheus metrics (operator)'),
  'GET /metrics': answering(
    text('text/plain', 'The Prometheus text exposition format.'),
    server('health.metricsRoot', 'Prometheus metrics at the conventional path (operator)'),
  ),

  // web
  'GET /': answering(text('text/html', 'The workbench page.'), server('web.page', 'Cloud Web')),
  'GET /assets/{*}': answering(
    { 200: { description: 'A content-hashed script, style sheet or image.', content: { '*/*': { schema: {} } } } },
    server('web.asset', 'A Cloud Web asset'),
  ),

  // reference
  'GET /api/openapi.json': answering(
    { 200: { description: 'This document.', content: { 'application/json': { schema: { type: 'object' } } } } },
    server('reference.openapi', 'This OpenAPI 3.1 document'),
  ),
};
