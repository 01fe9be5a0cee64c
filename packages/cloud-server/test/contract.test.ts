import { admin, auth, billing, byok, config, health, identity, sessions, settings, threads, workflows } from '@open-cowork/shared/schemas';
import type { TSchema } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from './helpers/http.js';
import { startTestServer, type TestServer } from '@open-cowork/test-support/server';

// One definition per shape: every route answers with a schema of `@open-cowork/shared/schemas`,
// the module the client's types are derived from (the client's `test/contract.test.ts` checks its
// methods against the same schemas). The OpenAPI document is generated from the schemas the
// routes declare, so a route that declared a copy, or none, shows here.

/** `METHOD /path` → the success status the route answers, and the shared schema of its body. */
const ROUTES: Record<string, [number, TSchema]> = {
  'GET /api/sessions': [200, sessions.SessionListPage],
  'POST /api/sessions': [201, sessions.SessionView],
  'POST /api/project-sources/validate': [200, sessions.ValidateProjectSourceResult],
  'POST /api/project-sources/snapshots': [201, sessions.ProjectSnapshotUploadResult],
  'POST /api/import/sessions': [201, sessions.SessionView],
  'GET /api/sessions/{id}': [200, sessions.SessionView],
  'PATCH /api/sessions/{id}': [200, sessions.SessionView],
  'POST /api/sessions/{id}/close': [200, sessions.SessionView],
  'GET /api/sessions/{id}/view': [200, sessions.SessionNormalizedView],
  'POST /api/sessions/{id}/prompt': [202, sessions.SessionCommandResponse],
  'POST /api/sessions/{id}/abort': [202, sessions.SessionCommandResponse],
  'POST /api/sessions/{id}/question-reply': [202, sessions.SessionCommandResponse],
  'POST /api/sessions/{id}/question-reject': [202, sessions.SessionCommandResponse],
  'POST /api/sessions/{id}/permission-respond': [202, sessions.SessionCommandResponse],
  'GET /api/config': [200, config.TransportConfigResponse],
  'GET /api/workspace': [200, config.WorkspaceOverviewResponse],
  'GET /api/runtime/status': [200, config.RuntimeStatusResponse],
  'POST /auth/session': [200, auth.AuthMeResponse],
  'GET /auth/me': [200, auth.AuthMeResponse],
  'POST /auth/logout': [200, auth.LogoutResponse],
  'GET /auth/sessions': [200, auth.AuthSessionListResponse],
  'DELETE /auth/sessions/{id}': [200, auth.EndSessionResponse],
  'GET /auth/desktop/config': [200, auth.DesktopAuthConfigResponse],
  'GET /api/api-tokens': [200, identity.TokenListResponse],
  'POST /api/api-tokens': [201, identity.IssueTokenResponse],
  'DELETE /api/api-tokens/{id}': [200, identity.RevokeTokenResponse],
  'POST /api/api-tokens/{id}/channel-bindings': [200, identity.GrantResponse],
  'GET /api/admin/members': [200, identity.MemberListResponse],
  'POST /api/admin/members': [201, identity.InviteResponse],
  'POST /api/invites/accept': [200, identity.MemberResponse],
  'POST /api/admin/members/{accountId}/update': [200, identity.MemberResponse],
  'GET /api/admin/policy': [200, admin.AdminPolicyResponse],
  'GET /api/admin/audit': [200, admin.AuditPageResponse],
  'GET /api/usage/events': [200, billing.UsageEventsResponse],
  'GET /api/billing/subscription': [200, billing.BillingSubscriptionPayloadSchema],
  'GET /api/byok': [200, byok.SecretListResponse],
  'GET /api/settings': [200, settings.SettingListResponse],
  'GET /api/threads': [200, threads.ThreadSearchResponse],
  'GET /api/workflows': [200, workflows.WorkflowListResponse],
  'POST /api/workflows': [201, workflows.WorkflowCreateResponse],
  'GET /livez': [200, health.LivenessResponse],
  'GET /readyz': [200, health.ReadinessResponse],
  'GET /api/metrics': [200, health.MetricsResponse],
};

/**
 * `schema` as @fastify/swagger writes it into the document: plain JSON, where a `const` is a
 * one-value `enum` and a record's `patternProperties` of any key are `additionalProperties`.
 */
function documentedForm(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema), (_key, value) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const { const: only, patternProperties, ...rest } = value;
    if (only !== undefined) rest.enum = [only];
    if (patternProperties) rest.additionalProperties = patternProperties['^(.*)$'];
    return rest;
  });
}

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

describe('the routes answer with the shared schemas', () => {
  let server: TestServer;
  let paths: Record<string, Record<string, Operation>>;

  beforeAll(async () => {
    server = await startTestServer();
    paths = ((await (await fetch(`${server.baseUrl}/api/openapi.json`)).json()) as { paths: typeof paths }).paths;
  }, 60_000);
  afterAll(async () => server?.close());

  it.each(Object.entries(ROUTES))('%s', (route, [status, schema]) => {
    const [method, path] = route.split(' ') as [string, string];
    const operation = paths[path]?.[method.toLowerCase()];
    const successes = Object.keys(operation?.responses ?? {}).filter((code) => /^2/.test(code));
    expect(successes, route).toEqual([String(status)]);
    const documented = operation!.responses[status]!.content?.['application/json']?.schema;
    expect(documented, route).toEqual(documentedForm(schema));
  });

  it('answers the documented status: 201 for a new session, 202 for a prompt', async () => {
    const token = await server.mintToken(['desktop']);
    const created = await call<{ session: { sessionId: string } }>(server.baseUrl, '/api/sessions', {
      method: 'POST',
      bearer: token,
      body: {},
    });
    expect(created.status).toBe(ROUTES['POST /api/sessions']![0]);
    const prompted = await call(server.baseUrl, `/api/sessions/${created.body.session.sessionId}/prompt`, {
      method: 'POST',
      bearer: token,
      body: { text: 'hello' },
    });
    expect(prompted.status).toBe(ROUTES['POST /api/sessions/{id}/prompt']![0]);
  });
});
