/**
 * Every machine code an Open Cowork Cloud error answer carries, with the HTTP status it is always
 * answered with and what it means. The body of an error is `{error, code}` (see `docs/errors.md`,
 * generated from this object); clients branch on `code`, people read `error`.
 *
 * Naming: `<prefix>.<reason>` in snake_case. The prefix is the client domain whose routes answer the
 * code (`sessions`, `artifacts`, `threads`, `workflows`, `channels`, `identity`, `byok`,
 * `capabilities`, `settings`, `billing`), or a concern that spans routes (`request`, `route`,
 * `auth` for credentials, `authorization` for access rules, `idempotency`, `rate_limit`, `quota`,
 * `project_source`, `stream`, `server`, `store`, `storage`). Cursor codes read
 * `<listing>.cursor.invalid`, as the first open-cowork server spelled them. Codes that open-cowork
 * clients already branch on are never renamed.
 */
export const CLOUD_ERROR_CODES = {
  // Requests the server cannot read.
  'request.invalid': {
    status: 400,
    meaning:
      'The request does not match the route: a parameter, query or body field is missing, has the wrong type or breaks a rule of its schema, or a string holds U+0000. Client errors the framework raises for other reasons answer this code too.',
  },
  'request.invalid_json': { status: 400, meaning: 'The body (or a webhook body) is not valid JSON.' },
  'request.invalid_unicode': { status: 400, meaning: 'A JSON string holds a lone UTF-16 surrogate, which cannot be stored.' },
  'request.too_deep': { status: 400, meaning: 'The JSON body nests arrays and objects more than 64 deep.' },
  'request.bad_url': { status: 400, meaning: 'The URL cannot be decoded (e.g. a malformed percent escape).' },
  'request.malformed': { status: 400, meaning: 'The request is not valid HTTP; the connection is closed.' },
  'request.body_too_large': { status: 413, meaning: "The body is larger than the route's limit (1 MiB unless the route says more)." },
  'request.unsupported_media_type': { status: 415, meaning: 'The body is not `application/json` (nor a type the route takes).' },
  'request.headers_too_large': { status: 431, meaning: 'The request headers are too large; the connection is closed.' },
  'route.not_found': {
    status: 404,
    meaning:
      'No route has this method and path (also every API route of a process that runs runtime workers only), or no Cloud Web file has this path.',
  },

  // Credentials (401), sign-in and cookie sessions.
  'auth.required': { status: 401, meaning: 'The route needs a credential and the request carries none.' },
  'auth.credential_invalid': { status: 401, meaning: 'The `Authorization` header is malformed or its credential is not known.' },
  'auth.token_invalid': { status: 401, meaning: 'The API token is not valid.' },
  'auth.token_expired': { status: 401, meaning: 'The API token or OIDC access token has expired.' },
  'auth.token_revoked': { status: 401, meaning: 'The API token has been revoked.' },
  'auth.bearer_invalid': { status: 401, meaning: 'The OIDC access token is not valid (signature, audience, issuer or subject).' },
  'auth.session_ended': { status: 401, meaning: 'The cookie session ended with the token it was opened with; sign in again.' },
  'auth.oidc_login_failed': { status: 401, meaning: 'The sign-in with the identity provider failed.' },
  'auth.oidc_login_expired': {
    status: 400,
    meaning: 'The sign-in callback belongs to an unknown or expired login; start again at `/auth/login`.',
  },
  'auth.csrf_invalid': {
    status: 403,
    meaning: 'A mutating request with cookie auth lacks the `X-CSRF-Token` of its session, or sends another one.',
  },
  'auth.operator_cookie_refused': { status: 403, meaning: 'The operator token cannot open a cookie session.' },
  'auth.token_scope_refused': { status: 403, meaning: 'Only a token with the `desktop` or `admin` scope can open a cookie session.' },
  'auth.signup_disabled': { status: 403, meaning: 'Sign-up is closed on this cloud: the OIDC account is not a member.' },
  'auth.signup_domain_not_allowed': { status: 403, meaning: 'Sign-up needs a verified email address of an allowed domain.' },
  'auth.signup_invite_required': { status: 403, meaning: 'This cloud admits new members by invitation only.' },
  'auth.session_not_found': { status: 404, meaning: 'The caller has no cookie session with this id.' },
  'auth.oidc_not_configured': { status: 404, meaning: 'This cloud has no OIDC sign-in; use an API token.' },
  'auth.email_in_use': { status: 409, meaning: 'Another account already uses the email address of this OIDC identity.' },
  'auth.backoff': {
    status: 429,
    meaning: 'Too many failed sign-ins from this address: wait `retryAfterMs` (also `Retry-After`) before the next one.',
  },
  'auth.oidc_unavailable': { status: 503, meaning: 'The identity provider cannot be reached; try again later.' },

  // Access rules (403); the body also carries `verdict` for older clients.
  'authorization.admin_required': { status: 403, meaning: 'The route is for org owners and admins.' },
  'authorization.insufficient_scope': { status: 403, meaning: 'The token has no scope that allows this route.' },
  'authorization.operator_only': { status: 403, meaning: 'The route is for the operator only.' },
  'authorization.operator_not_member': { status: 403, meaning: 'The operator token cannot act as an org member.' },
  'authorization.gateway_channel_plane_only': { status: 403, meaning: 'A gateway token acts on `/api/channels/` routes only.' },
  'authorization.membership_inactive': { status: 403, meaning: "The caller's account is not an active member of the org." },

  // Replays and limits.
  'idempotency.key_invalid': { status: 400, meaning: '`Idempotency-Key` is empty, too long or not printable ASCII.' },
  'idempotency.key_mismatch': { status: 400, meaning: 'The `Idempotency-Key` header and the body `idempotencyKey` differ.' },
  'idempotency.key_reused': { status: 409, meaning: 'The `Idempotency-Key` was already used for a different request.' },
  'idempotency.in_progress': {
    status: 409,
    meaning: 'A request with this `Idempotency-Key` is still running: retry after `retryAfterMs`.',
  },
  'rate_limit.http_exceeded': {
    status: 429,
    meaning: 'Too many requests from this caller (or, on the sign-in routes, this address) in the last minute; wait `retryAfterMs`.',
  },
  'quota.prompts_per_hour_exceeded': { status: 429, meaning: "The org's prompts-per-hour quota is used up until the window resets." },
  'quota.gateway_deliveries_per_hour_exceeded': {
    status: 429,
    meaning: "The org's gateway-deliveries-per-hour quota is used up until the window resets.",
  },
  'stream.cap_exceeded': {
    status: 429,
    meaning: 'Too many concurrent event streams for this org or user; close one or retry after `retryAfterMs`.',
  },

  // Billing (402 when an entitlement is missing; the body names the `feature`).
  'billing.feature_not_entitled': { status: 402, meaning: 'The org is not entitled to this feature (workflows, channels, artifacts).' },
  'billing.sessions_not_entitled': { status: 402, meaning: 'The org is not entitled to create sessions.' },
  'billing.prompts_not_entitled': { status: 402, meaning: 'The org is not entitled to send prompts.' },
  'billing.workers_not_entitled': { status: 402, meaning: 'The org is not entitled to runtime workers.' },
  'billing.provider_not_entitled': { status: 402, meaning: 'The org is not entitled to bring its own provider keys (BYOK).' },
  'billing.provider_not_configured': {
    status: 501,
    meaning: 'No billing provider is configured: checkout and the billing portal do not exist.',
  },

  // Sessions and their project sources.
  'sessions.cursor.invalid': { status: 400, meaning: 'The sessions cursor is garbled or belongs to another listing.' },
  'sessions.not_found': { status: 404, meaning: "No session with this id is the caller's (one or more, for bulk thread operations)." },
  'sessions.permission_not_found': { status: 404, meaning: 'The session has no pending permission request with this id.' },
  'sessions.question_not_found': { status: 404, meaning: 'The session has no pending question with this request id.' },
  'sessions.busy': { status: 409, meaning: 'The session is running a turn: abort it before closing the session.' },
  'sessions.closed': { status: 409, meaning: 'The session is closed: it takes no more commands.' },
  'project_source.snapshot_path_invalid': {
    status: 400,
    meaning: 'A snapshot file path is absolute or leaves the project directory.',
  },
  'project_source.repository_not_allowed': {
    status: 403,
    meaning: 'Only remote https or ssh git repositories (without `..` in the subdirectory) can back a session.',
  },
  'project_source.snapshot_not_found': { status: 403, meaning: 'The snapshot named by the project source does not exist.' },
  'storage.object_store_unconfigured': {
    status: 503,
    meaning: 'The server has no object store for imported artifacts; import the session without them.',
  },

  // Artifacts.
  'artifacts.data_invalid': { status: 400, meaning: '`dataBase64` is not standard, padded base64.' },
  'artifacts.filename_invalid': { status: 400, meaning: 'The filename has path separators or control characters.' },
  'artifacts.task_id_too_long': { status: 400, meaning: 'A task id of the filter is too long.' },
  'artifacts.too_many_task_ids': { status: 400, meaning: 'The filter names more than 128 task ids.' },
  'artifacts.not_found': { status: 404, meaning: 'The session has no artifact with this id.' },
  'artifacts.status_regression': { status: 409, meaning: 'An artifact status cannot go back (e.g. from `final` to `draft`).' },
  'artifacts.too_large': { status: 413, meaning: 'The artifact is larger than the server allows.' },

  // Threads: tags and smart filters.
  'threads.cursor.invalid': { status: 400, meaning: 'The threads cursor is garbled or belongs to another search.' },
  'threads.too_many_tags': { status: 400, meaning: 'The filter names more than 50 tags.' },
  'threads.tag_not_found': { status: 404, meaning: 'The caller has no thread tag with this id.' },
  'threads.filter_not_found': { status: 404, meaning: 'The caller has no smart filter with this id.' },
  'threads.tag_name_taken': { status: 409, meaning: 'The caller already has a tag with this name.' },
  'threads.filter_query_too_large': { status: 413, meaning: 'The smart filter query is larger than the server allows.' },

  // Workflows and their triggers.
  'workflows.cursor.invalid': { status: 400, meaning: 'The workflows cursor is garbled or belongs to another listing.' },
  'workflows.cron_invalid': { status: 400, meaning: 'The cron expression cannot be parsed.' },
  'workflows.cron_required': { status: 400, meaning: 'A schedule trigger needs a cron expression.' },
  'workflows.cron_unexpected': { status: 400, meaning: 'Only schedule triggers take a cron expression.' },
  'workflows.webhook_duplicate': { status: 400, meaning: 'A workflow has at most one webhook trigger.' },
  'workflows.webhook_payload_invalid': { status: 400, meaning: 'A webhook body must be empty or a JSON object.' },
  'workflows.webhook_timestamp_invalid': {
    status: 401,
    meaning: '`x-open-cowork-timestamp` is missing or more than 5 minutes off the server clock.',
  },
  'workflows.webhook_signature_invalid': { status: 401, meaning: '`x-open-cowork-signature` does not match the request.' },
  'workflows.not_found': { status: 404, meaning: "No workflow with this id is the caller's." },
  'workflows.webhook_not_configured': { status: 404, meaning: 'The workflow has no webhook trigger.' },
  'workflows.archived': { status: 409, meaning: 'An archived workflow cannot be changed, paused, resumed or run.' },
  'workflows.paused': { status: 409, meaning: 'A paused workflow runs only when started by hand.' },
  'workflows.trigger_not_configured': { status: 409, meaning: 'The workflow has no trigger of the kind that tried to start it.' },

  // Channels: bindings, agents, inbound events, interactions, deliveries.
  'channels.provider_invalid': { status: 400, meaning: 'The provider is neither built in nor a custom id containing `-`.' },
  'channels.provider_mismatch': { status: 400, meaning: 'The provider does not match the channel binding or session binding.' },
  'channels.credential_ref_invalid': {
    status: 400,
    meaning: '`credentialRef` is not a reference (`env:`, `gcp-secret-manager:`, …); the secret itself is never accepted.',
  },
  'channels.account_not_member': { status: 400, meaning: '`accountId` is not a member of this org.' },
  'channels.agent_mismatch': { status: 400, meaning: '`agentId` does not own the channel binding or session binding.' },
  'channels.session_mismatch': { status: 400, meaning: '`sessionId` does not match the session binding.' },
  'channels.binding_required': {
    status: 400,
    meaning: 'A gateway token claims provider events of one of its channel bindings: give `channelBindingId`.',
  },
  'channels.expires_at_past': { status: 400, meaning: '`expiresAt` must be in the future.' },
  'channels.interaction_reference_required': {
    status: 400,
    meaning: 'Give the interaction `token` or its `externalInteractionId`.',
  },
  'channels.interaction_response_required': { status: 400, meaning: 'A permission interaction needs a `response`.' },
  'channels.interaction_answers_required': { status: 400, meaning: 'A question interaction needs `answers` (or `reject: true`).' },
  'channels.gateway_required': { status: 403, meaning: 'Channel routes need a gateway or admin token, or an org admin.' },
  'channels.binding_not_granted': { status: 403, meaning: 'The gateway token was not granted this channel binding.' },
  'channels.identity_admin_required': {
    status: 403,
    meaning: 'Only admins set the account, role or status of a channel identity.',
  },
  'channels.session_binding_mismatch': {
    status: 403,
    meaning: 'The session binding does not belong to the channel binding.',
  },
  'channels.stream_cookie_refused': {
    status: 403,
    meaning: 'The delivery stream claims deliveries: call it with a gateway or admin token, not a cookie.',
  },
  'channels.binding_not_found': { status: 404, meaning: 'No channel binding with this id in the org.' },
  'channels.agent_not_found': { status: 404, meaning: 'No headless agent with this id in the org.' },
  'channels.session_binding_not_found': { status: 404, meaning: 'No channel session binding with this id (or thread).' },
  'channels.provider_event_not_held': { status: 404, meaning: 'No claim of this provider event is held by `claimedBy`.' },
  'channels.interaction_not_found': { status: 404, meaning: 'No channel interaction has this token or external id.' },
  'channels.delivery_not_found': { status: 404, meaning: 'No channel delivery with this id (or none held by `claimedBy`).' },
  'channels.agent_id_unavailable': { status: 409, meaning: 'The agent id is already taken.' },
  'channels.binding_id_unavailable': { status: 409, meaning: 'The channel binding id is already taken.' },
  'channels.agent_inactive': { status: 409, meaning: 'The headless agent of the binding is not active.' },
  'channels.binding_inactive': { status: 409, meaning: 'The channel binding is disabled or needs attention.' },
  'channels.thread_bound_elsewhere': { status: 409, meaning: 'The thread is bound through another channel binding.' },
  'channels.session_binding_archived': { status: 409, meaning: 'The channel session binding is archived.' },
  'channels.interaction_id_unavailable': {
    status: 409,
    meaning: 'An interaction with this id, external id or token already exists.',
  },
  'channels.interaction_used': { status: 409, meaning: 'The interaction was already used.' },
  'channels.delivery_ambiguous': {
    status: 409,
    meaning: 'Several channel bindings have a delivery with this id: give `channelBindingId`.',
  },
  'channels.delivery_already_sent': { status: 409, meaning: 'The delivery was already sent.' },
  'channels.delivery_claimed': { status: 409, meaning: 'The delivery is leased to a gateway; retry it once the lease has ended.' },
  'channels.delivery_lease_not_held': { status: 409, meaning: 'The lease of the delivery is not held by `claimedBy`.' },
  'channels.interaction_expired': { status: 410, meaning: 'The interaction has expired.' },
  'channels.interaction_revoked': { status: 410, meaning: 'The interaction was revoked.' },
  'channels.delivery_too_large': { status: 413, meaning: 'A delivery `target` or `payload` is over 16 KiB of JSON.' },

  // Identity: members, invites, API tokens, the audit log.
  'identity.confirm_required': { status: 400, meaning: 'Disabling a member requires `confirm` to equal the account id.' },
  'identity.expires_at_past': { status: 400, meaning: '`expiresAt` must be in the future.' },
  'identity.channel_bindings_need_gateway': { status: 400, meaning: 'Only gateway tokens can be limited to channel bindings.' },
  'identity.invite_invalid': { status: 400, meaning: 'The invite token is not valid.' },
  'identity.invite_expired': { status: 400, meaning: 'The invite has expired; ask for a new one.' },
  'audit.cursor.invalid': { status: 400, meaning: 'The audit cursor is garbled or belongs to another query.' },
  'identity.owner_required': { status: 403, meaning: 'Only an owner can invite, change or appoint an owner.' },
  'identity.scope_not_allowed': {
    status: 403,
    meaning: 'Operator and worker-internal tokens are provisioned by the operator, not through the API.',
  },
  'identity.member_not_found': { status: 404, meaning: 'No org member with this account id.' },
  'identity.token_not_found': { status: 404, meaning: 'No API token with this id in the org.' },
  'identity.channel_binding_not_found': { status: 404, meaning: 'A channel binding to grant does not exist.' },
  'identity.member_exists': { status: 409, meaning: 'The email address already belongs to a member of the org.' },
  'identity.last_owner': { status: 409, meaning: 'The last owner of the org cannot be demoted or disabled.' },
  'identity.invite_not_pending': { status: 409, meaning: 'The invite was already accepted or withdrawn.' },
  'identity.token_revoked': { status: 409, meaning: 'The API token has been revoked.' },
  'identity.token_not_gateway': { status: 409, meaning: 'Only gateway tokens can be granted channel bindings.' },

  // BYOK provider secrets.
  'byok.provider_not_allowed': { status: 400, meaning: 'The provider is not allowed on this server.' },
  'byok.secret_required': { status: 400, meaning: 'Give exactly one non-blank secret field (or `kmsRef`).' },
  'byok.kms_ref_not_allowed': { status: 400, meaning: 'The KMS reference does not start with a configured prefix.' },
  'byok.secret_not_found': { status: 404, meaning: 'No secret is stored for this provider.' },
  'byok.secret_disabled': { status: 409, meaning: 'The secret is disabled; store a new one to use the provider again.' },
  'byok.kms_not_supported': { status: 501, meaning: 'KMS references are not configured on this server; send the key itself.' },
  'byok.key_not_configured': { status: 503, meaning: 'The server has no BYOK encryption key (`OPEN_COWORK_BYOK_KEY`).' },

  // Capabilities and settings.
  'capabilities.skill_not_found': { status: 404, meaning: 'No skill has this name.' },
  'capabilities.tool_not_found': { status: 404, meaning: 'No tool has this id.' },
  'settings.value_too_large': { status: 413, meaning: 'The setting value is larger than the server allows.' },

  // The server itself.
  internal: { status: 500, meaning: 'An unexpected failure; the details are in the server log under the `x-request-id`.' },
  'server.shutting_down': { status: 503, meaning: 'The server is shutting down; retry on another replica or later.' },
  'store.unavailable': { status: 503, meaning: 'The database does not answer (readiness check).' },
} as const satisfies Record<string, { status: number; meaning: string }>;

/** A machine code of the catalog. */
export type CloudErrorCode = keyof typeof CLOUD_ERROR_CODES;
