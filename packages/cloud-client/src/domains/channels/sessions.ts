import type {
  BindChannelSessionInput,
  ChannelCursorUpdateInput,
  ChannelCursorUpdateResponse,
  ChannelCursorUpdateResult,
  ChannelSessionBindingResult,
  ChannelSessionThreadQuery,
  CloudSessionView,
  PromptChannelSessionInput,
  PromptChannelSessionResponse,
} from '@open-cowork/shared';
import { commandSender, type CloudClientContext, type CloudCommandOptions, type CloudSubscription } from '../../core/context.js';
import { apiPath } from '../../core/path.js';
import { check, isCursor, isNonEmpty, optionalStrings } from '../../core/validate.js';
import { readAttachment, type ArtifactAttachment } from '../artifacts.js';
import { subscribeEventStream, type CloudEventSubscriptionOptions, type CloudSessionStreamEvent } from '../transport/stream.js';
import { checkProvider, requireFields, unlessNotFound } from './common.js';

/** The key sent both in the body (old servers read it there) and as the `Idempotency-Key` header. */
function promptIdempotencyKey(input: PromptChannelSessionInput, options: CloudCommandOptions): string | undefined {
  const keys = [input.idempotencyKey, options.idempotencyKey].filter((key) => key !== undefined);
  const valid = keys.every(isNonEmpty);
  check(valid, 'promptChannelSession: idempotencyKey must be a non-empty string.');
  const agree = keys.length < 2 || keys[0] === keys[1];
  check(agree, 'promptChannelSession: input and options carry different idempotency keys.');
  return keys[0];
}

/** A gateway's view of a chat thread: its bound session, prompts, read cursor and event stream. */
export function createChannelSessionsClient(ctx: CloudClientContext) {
  const send = commandSender(ctx);

  return {
    /**
     * `POST /api/channels/sessions/bind` → `{binding, session}`: binds a chat thread to a session
     * (a new one unless `sessionId` is given). Binding the same thread again returns the existing binding.
     */
    async bindChannelSession(input: BindChannelSessionInput, options?: CloudCommandOptions): Promise<ChannelSessionBindingResult> {
      requireFields('bindChannelSession', input, ['channelBindingId', 'externalChatId', 'externalThreadId']);
      checkProvider('bindChannelSession', input);
      return send<ChannelSessionBindingResult>('POST', '/api/channels/sessions/bind', input, options);
    },

    /**
     * `GET /api/channels/sessions/by-thread?provider&externalWorkspaceId&externalChatId&externalThreadId`
     * → `{binding, session}`, or `null` when the thread is not bound (HTTP 404). Every other failure rejects.
     */
    async getChannelSessionByThread(query: ChannelSessionThreadQuery): Promise<ChannelSessionBindingResult | null> {
      requireFields('getChannelSessionByThread', query, ['externalChatId', 'externalThreadId']);
      checkProvider('getChannelSessionByThread', query);
      optionalStrings({ externalWorkspaceId: query.externalWorkspaceId }, 'getChannelSessionByThread: ');
      const { provider, externalWorkspaceId, externalChatId, externalThreadId } = query;
      const request = { query: { provider, externalWorkspaceId, externalChatId, externalThreadId } };
      const path = '/api/channels/sessions/by-thread';
      return unlessNotFound(ctx.request<ChannelSessionBindingResult>(path, request), null);
    },

    /**
     * `GET /api/channels/sessions/:bindingId/snapshot` → the bound session's view; subscribe from
     * its `projection.sequence`.
     */
    async getChannelSessionSnapshot(bindingId: string): Promise<CloudSessionView> {
      return ctx.request<CloudSessionView>(apiPath`/api/channels/sessions/${bindingId}/snapshot`);
    },

    /**
     * `GET /api/channels/sessions/:bindingId/artifacts/:aid` → the artifact as a `data:` URL, like
     * `readArtifactAttachment`. `pathOrId` is an artifact id or a `cloud-artifact://` reference.
     */
    async readChannelArtifactAttachment(bindingId: string, pathOrId: string): Promise<ArtifactAttachment> {
      const pathOf = (artifactId: string) => apiPath`/api/channels/sessions/${bindingId}/artifacts/${artifactId}`;
      return readAttachment(ctx, pathOrId, pathOf);
    },

    /**
     * `GET /api/channels/sessions/:bindingId/events?after` (SSE): the bound session's events, as
     * `subscribeSessionEvents`. Never throws: bad arguments reach `onError` (kind `request`).
     */
    subscribeChannelSessionEvents(bindingId: string, options: CloudEventSubscriptionOptions<CloudSessionStreamEvent>): CloudSubscription {
      const path = () => apiPath`/api/channels/sessions/${bindingId}/events`;
      return subscribeEventStream(ctx, path, options, 'subscribeChannelSessionEvents');
    },

    /**
     * `POST /api/channels/sessions/prompt` (202) → `{binding, command, processed, view, projectionFence}`.
     * The idempotency key (from `input` or `options`) travels in the body and as `Idempotency-Key`.
     */
    async promptChannelSession(input: PromptChannelSessionInput, options: CloudCommandOptions = {}): Promise<PromptChannelSessionResponse> {
      requireFields('promptChannelSession', input, ['bindingId', 'text']);
      checkProvider('promptChannelSession', input, false);
      const idempotencyKey = promptIdempotencyKey(input, options);
      const body = idempotencyKey === undefined ? input : { ...input, idempotencyKey };
      const path = '/api/channels/sessions/prompt';
      return send<PromptChannelSessionResponse>('POST', path, body, { idempotencyKey, signal: options.signal });
    },

    /**
     * `POST /api/channels/cursor` → `.result`: `{ok: true, binding}`, `{ok: false, reason: 'stale', binding}`
     * when the stored cursor is ahead, or `{ok: false, reason: 'not_found'}` when the binding is gone (HTTP 404).
     */
    async updateChannelCursor(input: ChannelCursorUpdateInput, options?: CloudCommandOptions): Promise<ChannelCursorUpdateResult> {
      requireFields('updateChannelCursor', input, ['bindingId']);
      const cursors = isCursor(input.lastEventSequence) && isCursor(input.lastWorkspaceSequence);
      check(cursors, 'updateChannelCursor: lastEventSequence and lastWorkspaceSequence must be integers ≥ 0.');
      const update = send<ChannelCursorUpdateResponse>('POST', '/api/channels/cursor', input, options);
      return unlessNotFound(
        update.then((response) => response.result),
        { ok: false, reason: 'not_found' } as const,
      );
    },
  };
}
