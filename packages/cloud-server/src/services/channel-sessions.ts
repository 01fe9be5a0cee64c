import type {
  ArtifactWithContent,
  BindChannelSessionInput,
  ChannelCursorUpdateInput,
  ChannelCursorUpdateResponse,
  ChannelSessionThreadQuery,
  CloudSessionView,
  PromptChannelSessionInput,
} from '@open-cowork/shared';
import type { Principal } from '../auth/principal.js';
import { httpError } from '../errors.js';
import type { IdempotentKey, IdempotentRunner } from '../idempotency.js';
import { newId } from '../ids.js';
import { type ChannelThread, publicSessionBinding, type StoredSessionBinding } from '../store/channel-session-bindings.js';
import type { Db, Queryable } from '../store/db.js';
import type { Stores } from '../store/stores.js';
import type { SequencedSource } from '../streams/sequenced.js';
import { type ChannelAccess, requireSameProvider } from './channel-access.js';
import type { CommandService } from './commands.js';
import type { EventBus } from './event-bus.js';
import type { EventService } from './events.js';
import type { SessionService } from './sessions.js';

/**
 * Chat threads bound to cloud sessions: bind, look up, read, stream, prompt, and the read cursor.
 * A bound session is read and prompted as its owner (the account that bound it); a gateway token
 * reaches only the sessions bound through the channel bindings it was granted.
 */
export function createChannelSessionService(deps: {
  db: Db;
  idempotent: IdempotentRunner;
  channels: Stores['channels'];
  sessions: Stores['sessions'];
  sessionEvents: EventService;
  artifacts: Stores['artifacts'];
  sessionService: SessionService;
  commands: CommandService;
  eventBus: EventBus;
  access: ChannelAccess;
}) {
  const { db, idempotent, channels, sessions, sessionEvents, artifacts, sessionService, commands, eventBus, access } = deps;

  /** The bound session's view, read as its owner. */
  const viewOf = async (q: Queryable, binding: StoredSessionBinding): Promise<CloudSessionView> => {
    const view = await sessions.view(q, binding.orgId, binding.ownerUserId, binding.sessionId);
    if (!view) throw httpError('sessions.not_found', 'Cloud session was not found.');
    return view;
  };

  const boundSession = async (q: Queryable, principal: Principal, bindingId: string) => {
    access.requireGatewayOrAdmin(principal);
    return access.sessionBinding(q, principal, bindingId);
  };

  return {
    /**
     * The session of a provider thread: the one it is bound to, else a new binding to `sessionId`
     * or to a new session of the agent's profile. A thread gets exactly one session.
     */
    bind: (principal: Principal, body: BindChannelSessionInput, key: IdempotentKey | null) =>
      idempotent.transaction(key, async (tx) => {
        access.requireGatewayOrAdmin(principal);
        const thread: ChannelThread = {
          provider: body.provider,
          externalWorkspaceId: body.externalWorkspaceId ?? null,
          externalChatId: body.externalChatId,
          externalThreadId: body.externalThreadId,
        };
        const channelBinding = await access.bindingFor(tx, principal, body.channelBindingId, body.provider);
        await channels.lockThread(tx, principal.orgId, thread);
        const existing = await channels.findSessionBindingByThread(tx, principal.orgId, thread);
        if (existing) {
          if (existing.channelBindingId !== channelBinding.bindingId) {
            throw httpError('channels.thread_bound_elsewhere', 'This thread is bound through another channel binding.');
          }
          return { status: 200, body: { binding: publicSessionBinding(existing), session: await viewOf(tx, existing) } };
        }
        if (channelBinding.status !== 'active')
          throw httpError('channels.binding_inactive', `The channel binding is ${channelBinding.status}.`);
        const agent = await channels.getAgent(tx, principal.orgId, channelBinding.agentId);
        if (agent?.status !== 'active') throw httpError('channels.agent_inactive', 'The headless agent of this binding is not active.');
        const caller = { tenantId: principal.tenantId, userId: principal.userId };
        let sessionId = body.sessionId;
        if (sessionId) {
          if (!(await sessions.get(tx, caller.tenantId, caller.userId, sessionId)))
            throw httpError('sessions.not_found', 'Cloud session was not found.');
        } else {
          sessionId = (await sessionService.create(caller, { profileName: agent.profileName }, tx)).session.sessionId;
        }
        const binding = await channels.insertSessionBinding(tx, {
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
        await access.audit(tx, principal, {
          action: 'channel_session.bound',
          targetType: 'channel_session_binding',
          targetId: binding.bindingId,
          metadata: { sessionId, channelBindingId: channelBinding.bindingId, created: !body.sessionId },
        });
        return { status: 200, body: { binding: publicSessionBinding(binding), session: await viewOf(tx, binding) } };
      }),

    async byThread(principal: Principal, query: ChannelSessionThreadQuery) {
      access.requireGatewayOrAdmin(principal);
      const binding = await channels.findSessionBindingByThread(db, principal.orgId, {
        ...query,
        externalWorkspaceId: query.externalWorkspaceId ?? null,
      });
      if (!binding) throw httpError('channels.session_binding_not_found', 'Channel session binding was not found.');
      access.assertGranted(principal, binding.channelBindingId);
      return { binding: publicSessionBinding(binding), session: await viewOf(db, binding) };
    },

    snapshot: async (principal: Principal, bindingId: string) => viewOf(db, await boundSession(db, principal, bindingId)),

    /** The bound session's event stream, the source `/api/sessions/:id/events` serves for the session itself. */
    async eventSource(principal: Principal, bindingId: string): Promise<SequencedSource> {
      const { orgId, ownerUserId, sessionId } = await boundSession(db, principal, bindingId);
      const reader = await sessionEvents.sessionReader({ tenantId: orgId, userId: ownerUserId }, sessionId);
      return {
        key: `session:${sessionId}`,
        ...reader,
        subscribe: (wake) => eventBus.onSession(sessionId, (notice, appended) => wake(notice?.sessionSequence, appended)),
        scope: { entityType: 'session', entityId: sessionId, sessionId },
      };
    },

    /** An artifact of the bound session, with its content. */
    async artifact(principal: Principal, bindingId: string, artifactId: string): Promise<{ artifact: ArtifactWithContent }> {
      const binding = await boundSession(db, principal, bindingId);
      const found = await artifacts.content(db, { tenantId: binding.orgId, userId: binding.ownerUserId }, binding.sessionId, artifactId);
      if (!found) throw httpError('artifacts.not_found', 'Artifact was not found.');
      return { artifact: { ...found.artifact, dataBase64: found.data.toString('base64') } };
    },

    /**
     * Queues a prompt on the bound session, as its owner, through the command service: it runs
     * under `key` in the command's own transaction.
     */
    async prompt(principal: Principal, prompt: Omit<PromptChannelSessionInput, 'idempotencyKey'>, key: IdempotentKey | null) {
      const binding = await boundSession(db, principal, prompt.bindingId);
      if (binding.status !== 'active') throw httpError('channels.session_binding_archived', 'This channel session binding is archived.');
      if (prompt.provider) requireSameProvider(binding, prompt.provider, 'session binding');
      const { bindingId: _binding, text, agent, ...origin } = prompt;
      // Who wrote it in the chat is part of the command, so a reused key with another origin is refused too.
      const payload = { text, ...(agent ? { agent } : {}), channel: { sessionBindingId: binding.bindingId, ...origin } };
      const result = await commands.execute(
        { tenantId: binding.orgId, userId: binding.ownerUserId, tokenId: principal.tokenId },
        { sessionId: binding.sessionId, kind: 'prompt', payload, idempotencyKey: key },
      );
      return { ...result, body: { binding: publicSessionBinding(binding), ...result.body } };
    },

    /** Moves the gateway's read cursor forward; an older cursor answers `ok: false, reason: 'stale'`. */
    cursor: (principal: Principal, body: ChannelCursorUpdateInput, key: IdempotentKey | null) =>
      idempotent.transaction<ChannelCursorUpdateResponse>(key, async (tx) => {
        await boundSession(tx, principal, body.bindingId);
        const updated = await channels.updateCursor(tx, principal.orgId, body.bindingId, body);
        if (!updated) throw httpError('channels.session_binding_not_found', 'Channel session binding was not found.');
        const binding = publicSessionBinding(updated.binding);
        if (updated.stale) return { status: 200, body: { binding, result: { ok: false, reason: 'stale', binding } } };
        await access.audit(tx, principal, {
          action: 'channel_session.cursor_updated',
          targetType: 'channel_session_binding',
          targetId: binding.bindingId,
          metadata: { lastEventSequence: binding.lastEventSequence, lastWorkspaceSequence: binding.lastWorkspaceSequence },
        });
        return { status: 200, body: { binding, result: { ok: true, binding } } };
      }),
  };
}

export type ChannelSessionService = ReturnType<typeof createChannelSessionService>;
