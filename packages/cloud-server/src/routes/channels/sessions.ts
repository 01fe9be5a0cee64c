import { channels as channelsSchemas, common as commonSchemas, events as eventSchemas } from '@open-cowork/shared/schemas';
import type { CloudSessionView } from '@open-cowork/shared';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Principal } from '../../auth/principal.js';
import { httpError } from '../../errors.js';
import { newId } from '../../ids.js';
import { idempotentKeyOf, sendIdempotent } from '../../idempotency.js';
import { requireSameProvider } from '../../services/channels.js';
import { publicSessionBinding, type StoredSessionBinding } from '../../store/channels.js';
import type { Queryable } from '../../store/db.js';

const { ArtifactParams, BindSessionBody, CursorBody, PromptBody, Responses, SessionBindingParams, StreamQuery, ThreadQuery } =
  channelsSchemas;
const { eventStream } = commonSchemas;
const { SessionStreamEvent } = eventSchemas;

/** Chat threads bound to cloud sessions: bind, look up, read, stream, prompt, and the read cursor. */
export async function channelSessionRoutes(app: FastifyInstance) {
  const { channels } = app;
  // Mutating channel routes run under `channels.respond` (the prompt under the command service),
  // which store the Idempotency-Key response atomically: the generic plugin stays out.
  const member = { access: 'member' as const, idempotency: 'handled' as const };

  /** The bound session's view, read as its owner (the account that bound it). */
  const viewOf = async (q: Queryable, binding: StoredSessionBinding): Promise<CloudSessionView> => {
    const view = await app.stores.sessions.view(q, binding.orgId, binding.ownerUserId, binding.sessionId);
    if (!view) throw httpError('sessions.not_found', 'Cloud session was not found.');
    return view;
  };

  const boundSession = async (q: Queryable, principal: Principal, bindingId: string) => {
    channels.requireGatewayOrAdmin(principal);
    return channels.sessionBinding(q, principal, bindingId);
  };

  app.post<{ Body: Static<typeof BindSessionBody> }>(
    '/api/channels/sessions/bind',
    { config: member, schema: { body: BindSessionBody, response: { 200: Responses.sessionBinding } } },
    (request, reply) =>
      channels.respond(request, reply, async (tx) => {
        const { principal, body } = request;
        channels.requireGatewayOrAdmin(principal);
        const thread = {
          provider: body.provider,
          externalWorkspaceId: body.externalWorkspaceId ?? null,
          externalChatId: body.externalChatId,
          externalThreadId: body.externalThreadId,
        };
        const channelBinding = await channels.bindingFor(tx, principal, body.channelBindingId, body.provider);
        // Serialises binds of one thread (across processes), so a thread gets exactly one session.
        await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`channel-thread:${principal.orgId}:${JSON.stringify(thread)}`]);
        const existing = await channels.store.findSessionBindingByThread(tx, principal.orgId, thread);
        if (existing) {
          if (existing.channelBindingId !== channelBinding.bindingId) {
            throw httpError('channels.thread_bound_elsewhere', 'This thread is bound through another channel binding.');
          }
          return { status: 200, body: { binding: publicSessionBinding(existing), session: await viewOf(tx, existing) } };
        }
        if (channelBinding.status !== 'active')
          throw httpError('channels.binding_inactive', `The channel binding is ${channelBinding.status}.`);
        const agent = await channels.store.getAgent(tx, principal.orgId, channelBinding.agentId);
        if (agent?.status !== 'active') throw httpError('channels.agent_inactive', 'The headless agent of this binding is not active.');
        const caller = { tenantId: principal.tenantId, userId: principal.userId };
        let sessionId = body.sessionId;
        if (sessionId) {
          if (!(await app.stores.sessions.get(tx, caller.tenantId, caller.userId, sessionId)))
            throw httpError('sessions.not_found', 'Cloud session was not found.');
        } else {
          sessionId = (await app.sessionService.create(caller, { profileName: agent.profileName }, tx)).session.sessionId;
        }
        const binding = await channels.store.insertSessionBinding(tx, {
          bindingId: newId('csb'),
          orgId: principal.orgId,
          agentId: agent.agentId,
          channelBindingId: channelBinding.bindingId,
          ...thread,
          sessionId,
          ownerUserId: caller.userId,
          lastEventSequence: body.lastEventSequence ?? 0,
          lastWorkspaceSequence: body.lastWorkspaceSequence ?? 0,
          lastChatMessageId: body.lastChatMessageId ?? null,
        });
        await channels.audit(tx, principal, {
          action: 'channel_session.bound',
          targetType: 'channel_session_binding',
          targetId: binding.bindingId,
          metadata: { sessionId, channelBindingId: channelBinding.bindingId, created: !body.sessionId },
        });
        return { status: 200, body: { binding: publicSessionBinding(binding), session: await viewOf(tx, binding) } };
      }),
  );

  app.get<{ Querystring: Static<typeof ThreadQuery> }>(
    '/api/channels/sessions/by-thread',
    { config: member, schema: { querystring: ThreadQuery, response: { 200: Responses.sessionBinding } } },
    async (request) => {
      const { principal, query } = request;
      channels.requireGatewayOrAdmin(principal);
      const binding = await channels.store.findSessionBindingByThread(app.db, principal.orgId, {
        ...query,
        externalWorkspaceId: query.externalWorkspaceId ?? null,
      });
      if (!binding) throw httpError('channels.session_binding_not_found', 'Channel session binding was not found.');
      channels.assertGranted(principal, binding.channelBindingId);
      return { binding: publicSessionBinding(binding), session: await viewOf(app.db, binding) };
    },
  );

  app.get<{ Params: Static<typeof SessionBindingParams> }>(
    '/api/channels/sessions/:bindingId/snapshot',
    { config: member, schema: { params: SessionBindingParams, response: { 200: Responses.sessionView } } },
    async (request) => viewOf(app.db, await boundSession(app.db, request.principal, request.params.bindingId)),
  );

  // The bound session's event stream, served exactly like `/api/sessions/:id/events`.
  app.get<{ Params: Static<typeof SessionBindingParams> }>(
    '/api/channels/sessions/:bindingId/events',
    {
      config: member,
      schema: {
        params: SessionBindingParams,
        querystring: StreamQuery,
        response: { 200: eventStream(SessionStreamEvent, 'The bound session events after `after`, then live.') },
      },
    },
    async (request, reply) => {
      const binding = await boundSession(app.db, request.principal, request.params.bindingId);
      await viewOf(app.db, binding);
      const { sessionId } = binding;
      await app.streams.serve(request, reply, request.principal, {
        key: `session:${sessionId}`,
        read: (after, limit) => app.stores.events.listSessionEvents(app.db, sessionId, after, limit),
        bounds: () => app.stores.events.sessionBounds(app.db, sessionId),
        subscribe: (wake) => app.eventBus.onSession(sessionId, (notice, events) => wake(notice?.sessionSequence, events)),
        scope: { entityType: 'session', entityId: sessionId, sessionId },
      });
    },
  );

  app.get<{ Params: Static<typeof ArtifactParams> }>(
    '/api/channels/sessions/:bindingId/artifacts/:artifactId',
    { config: member, schema: { params: ArtifactParams, response: { 200: Responses.artifact } } },
    async (request) => {
      const binding = await boundSession(app.db, request.principal, request.params.bindingId);
      const artifact = await channels.readArtifact(
        { tenantId: binding.orgId, userId: binding.ownerUserId },
        binding.sessionId,
        request.params.artifactId,
      );
      if (!artifact) throw httpError('artifacts.not_found', 'Artifact was not found.');
      return { artifact };
    },
  );

  app.post<{ Body: Static<typeof PromptBody> }>(
    '/api/channels/sessions/prompt',
    { config: member, schema: { body: PromptBody, response: { 202: Responses.prompt } } },
    async (request, reply) => {
      const { principal, body } = request;
      // The key may come in the body instead of the header; the rest of the body is the request.
      const { idempotencyKey: bodyKey, ...fingerprint } = body;
      const idempotencyKey = idempotentKeyOf(request, fingerprint, bodyKey);
      const binding = await boundSession(app.db, principal, body.bindingId);
      if (binding.status !== 'active') throw httpError('channels.session_binding_archived', 'This channel session binding is archived.');
      if (body.provider) requireSameProvider(binding, body.provider, 'session binding');
      const { bindingId: _binding, text, agent, ...origin } = fingerprint;
      // Who wrote it in the chat is part of the command, so a reused key with another origin is refused too.
      const payload = { text, ...(agent ? { agent } : {}), channel: { sessionBindingId: binding.bindingId, ...origin } };
      const result = await app.commands.execute(
        { tenantId: binding.orgId, userId: binding.ownerUserId, tokenId: principal.tokenId },
        { sessionId: binding.sessionId, kind: 'prompt', payload, idempotencyKey },
      );
      return sendIdempotent(reply, { ...result, body: { binding: publicSessionBinding(binding), ...result.body } });
    },
  );

  app.post<{ Body: Static<typeof CursorBody> }>(
    '/api/channels/cursor',
    { config: member, schema: { body: CursorBody, response: { 200: Responses.cursor } } },
    (request, reply) =>
      channels.respond(request, reply, async (tx) => {
        const { principal, body } = request;
        await boundSession(tx, principal, body.bindingId);
        const updated = await channels.store.updateCursor(tx, principal.orgId, body.bindingId, body);
        if (!updated) throw httpError('channels.session_binding_not_found', 'Channel session binding was not found.');
        const binding = publicSessionBinding(updated.binding);
        if (updated.stale) return { status: 200, body: { binding, result: { ok: false, reason: 'stale', binding } } };
        await channels.audit(tx, principal, {
          action: 'channel_session.cursor_updated',
          targetType: 'channel_session_binding',
          targetId: binding.bindingId,
          metadata: { lastEventSequence: binding.lastEventSequence, lastWorkspaceSequence: binding.lastWorkspaceSequence },
        });
        return { status: 200, body: { binding, result: { ok: true, binding } } };
      }),
  );
}
