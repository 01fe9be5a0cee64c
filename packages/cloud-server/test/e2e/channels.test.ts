import type { ChannelDeliveryRecord, CloudSessionEvent } from '@open-cowork/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from '@open-cowork/test-support/db';
import type { TestServer } from '@open-cowork/test-support/server';
import { type Client, failure, hasType, mintClient, record, startHarness } from './harness.js';

/**
 * Every method of the channels domain through the real client over HTTP: an admin sets up the
 * agent and binding, a gateway token granted that binding runs the chat and delivery plane.
 */
describe.each(engines)('channels over real HTTP (%s)', (engine) => {
  let server: TestServer;
  let admin: Client;
  let gateway: Client;
  let outsider: Client;

  beforeAll(async () => {
    ({ server, client: admin } = await startHarness({ engine, scopes: ['admin', 'gateway'] }));
    const agent = await admin.createHeadlessAgent({ name: 'Helper', agentId: 'ag-1' });
    await admin.createChannelBinding({
      agentId: agent.agentId,
      provider: 'slack',
      displayName: 'Acme Slack',
      bindingId: 'cb-1',
      externalWorkspaceId: 'T1',
    });
    await admin.createChannelBinding({ agentId: agent.agentId, provider: 'telegram', displayName: 'Bot', bindingId: 'cb-2' });
    gateway = await mintClient(server, ['gateway'], { channelBindingIds: ['cb-1'] });
    outsider = await mintClient(server, ['desktop']);
  });
  afterAll(() => server.close());

  describe('setup plane', () => {
    it('lists providers with binding counts, built-ins first', async () => {
      const providers = await admin.listChannelProviders();
      expect(providers.map((provider) => provider.id).slice(0, 8)).toEqual([
        'telegram',
        'slack',
        'email',
        'discord',
        'whatsapp',
        'signal',
        'webhook',
        'cli',
      ]);
      expect(providers.find((provider) => provider.id === 'slack')).toMatchObject({
        label: 'Slack',
        connected: true,
        bindingCount: 1,
        activeBindingCount: 1,
        status: 'connected',
      });
      expect(providers.find((provider) => provider.id === 'email')).toMatchObject({
        connected: false,
        bindingCount: 0,
        status: 'available',
      });
      expect(await admin.listChannelProviders({ limit: 2 })).toHaveLength(2);
      // A gateway token counts only the bindings it was granted.
      expect((await gateway.listChannelProviders()).find((provider) => provider.id === 'telegram')).toMatchObject({ bindingCount: 0 });
    });

    it('creates, updates and lists headless agents; a taken caller-chosen id is a conflict', async () => {
      const created = await admin.createHeadlessAgent(
        { name: 'Reviewer', profileName: 'research', agentId: 'ag-2' },
        { idempotencyKey: 'agent-ag-2' },
      );
      expect(created).toMatchObject({
        agentId: 'ag-2',
        name: 'Reviewer',
        profileName: 'research',
        status: 'active',
        managed: false,
        tenantId: created.orgId,
      });
      // The same key and body replays the first answer; the same id without the key is a conflict.
      expect(
        await admin.createHeadlessAgent({ name: 'Reviewer', profileName: 'research', agentId: 'ag-2' }, { idempotencyKey: 'agent-ag-2' }),
      ).toEqual(created);
      const taken = await failure(admin.createHeadlessAgent({ name: 'Other', agentId: 'ag-2' }));
      expect(taken).toMatchObject({ kind: 'conflict', status: 409, code: 'channels.agent_id_unavailable' });

      const updated = await admin.updateHeadlessAgent('ag-2', { status: 'disabled', managed: true });
      expect(updated).toMatchObject({ agentId: 'ag-2', status: 'disabled', managed: true, name: 'Reviewer' });
      expect(await failure(admin.updateHeadlessAgent('missing', { name: 'x' }))).toMatchObject({
        kind: 'not_found',
        code: 'channels.agent_not_found',
      });
      expect((await admin.listHeadlessAgents()).map((agent) => agent.agentId)).toEqual(['ag-1', 'ag-2']);
      expect(await admin.listHeadlessAgents({ limit: 1 })).toHaveLength(1);
    });

    it('keeps the raw credential reference on the server and shows only its kind', async () => {
      const binding = await admin.createChannelBinding({
        agentId: 'ag-2',
        provider: 'acme-chat',
        displayName: 'Acme chat',
        credentialRef: 'env:ACME_TOKEN',
        settings: { mention: true, apiToken: 'not-a-secret-but-looks-like-one' },
      });
      expect(binding).toMatchObject({
        provider: 'acme-chat',
        credentialRefConfigured: true,
        credentialRefKind: 'env',
        status: 'active',
        externalWorkspaceId: null,
      });
      expect(binding.settings).toEqual({ mention: true, apiToken: '[redacted]' });
      expect(JSON.stringify(binding)).not.toContain('ACME_TOKEN');

      const renamed = await admin.updateChannelBinding(binding.bindingId, {
        displayName: 'Renamed',
        credentialRef: 'aws-secrets-manager:prod/acme',
      });
      expect(renamed).toMatchObject({ displayName: 'Renamed', credentialRefKind: 'aws-secrets-manager' });
      const disconnected = await admin.disconnectChannelBinding(binding.bindingId);
      expect(disconnected.status).toBe('disabled');
      expect((await admin.listChannelBindings('ag-2')).map((entry) => [entry.bindingId, entry.status])).toEqual([
        [binding.bindingId, 'disabled'],
      ]);
      expect((await admin.listChannelBindings()).length).toBe(3);
      // A pasted secret is refused, and nothing is stored.
      const pasted = await failure(
        admin.createChannelBinding({ agentId: 'ag-2', provider: 'slack', displayName: 'x', credentialRef: 'xoxb-123-456' }),
      );
      expect(pasted).toMatchObject({ status: 400, code: 'channels.credential_ref_invalid' });
      expect((await admin.listChannelBindings('ag-2')).length).toBe(1);
    });

    it('resolves channel identities (find or create) and lists them with filters', async () => {
      const first = await gateway.resolveChannelIdentity({
        provider: 'slack',
        externalUserId: 'U1',
        externalWorkspaceId: 'T1',
        channelBindingId: 'cb-1',
        metadata: { name: 'Ada', password: 'x' },
      });
      expect(first).toMatchObject({
        provider: 'slack',
        externalUserId: 'U1',
        externalWorkspaceId: 'T1',
        role: 'member',
        status: 'active',
        accountId: null,
      });
      expect(first.metadata).toEqual({ name: 'Ada', password: '[redacted]' });
      const again = await gateway.resolveChannelIdentity({
        provider: 'slack',
        externalUserId: 'U1',
        externalWorkspaceId: 'T1',
        metadata: { tz: 'UTC' },
      });
      expect(again.identityId).toBe(first.identityId);
      expect(again.metadata).toMatchObject({ name: 'Ada', tz: 'UTC' });
      // Roles are an admin decision.
      expect(await failure(gateway.resolveChannelIdentity({ provider: 'slack', externalUserId: 'U1', role: 'admin' }))).toMatchObject({
        status: 403,
        code: 'channels.identity_admin_required',
      });
      const approver = await admin.resolveChannelIdentity({
        provider: 'slack',
        externalUserId: 'U2',
        externalWorkspaceId: 'T1',
        role: 'approver',
      });
      expect(approver.role).toBe('approver');

      expect((await admin.listChannelIdentities()).length).toBe(2);
      expect(
        (
          await admin.listChannelIdentities({ provider: 'slack', externalWorkspaceId: 'T1', role: 'approver', status: 'active', limit: 20 })
        ).map((identity) => identity.externalUserId),
      ).toEqual(['U2']);
    });
  });

  describe('chat sessions', () => {
    const thread = {
      channelBindingId: 'cb-1',
      provider: 'slack',
      externalWorkspaceId: 'T1',
      externalChatId: 'C1',
      externalThreadId: '171.1',
    } as const;

    it('binds a thread to a new session once, and finds it by thread', async () => {
      const bound = await gateway.bindChannelSession({ ...thread, title: 'Thread' });
      expect(bound.binding).toMatchObject({
        channelBindingId: 'cb-1',
        agentId: 'ag-1',
        provider: 'slack',
        externalChatId: 'C1',
        externalThreadId: '171.1',
        status: 'active',
        lastEventSequence: 0,
      });
      expect(bound.session.session.sessionId).toBe(bound.binding.sessionId);
      expect(bound.session.projection?.sequence).toBe(1);
      const again = await gateway.bindChannelSession(thread);
      expect(again.binding.bindingId).toBe(bound.binding.bindingId);

      const found = await gateway.getChannelSessionByThread({
        provider: 'slack',
        externalWorkspaceId: 'T1',
        externalChatId: 'C1',
        externalThreadId: '171.1',
      });
      expect(found?.binding).toEqual(again.binding);
      expect(await gateway.getChannelSessionByThread({ provider: 'slack', externalChatId: 'C1', externalThreadId: '9.9' })).toBeNull();
      expect((await gateway.getChannelSessionSnapshot(bound.binding.bindingId)).session.sessionId).toBe(bound.binding.sessionId);
    });

    it('binds a thread to an existing session of the caller', async () => {
      const { session } = await admin.createSession();
      const bound = await admin.bindChannelSession({ ...thread, externalThreadId: '171.2', sessionId: session.sessionId });
      expect(bound.binding.sessionId).toBe(session.sessionId);
    });

    it('prompts through the binding: streamed events, and Idempotency-Key replay and reuse', async () => {
      const { binding } = await gateway.bindChannelSession(thread);
      const snapshot = await gateway.getChannelSessionSnapshot(binding.bindingId);
      const events = record<CloudSessionEvent>((handlers) =>
        gateway.subscribeChannelSessionEvents(binding.bindingId, { afterSequence: snapshot.projection?.sequence ?? 0, ...handlers }),
      );
      const prompted = await gateway.promptChannelSession({
        bindingId: binding.bindingId,
        text: 'Hello from Slack',
        idempotencyKey: 'slack:Ev1',
        externalUserId: 'U1',
      });
      expect(prompted).toMatchObject({
        processed: 0,
        binding: { bindingId: binding.bindingId },
        command: { kind: 'prompt', payload: { text: 'Hello from Slack' } },
      });
      await events.until(hasType('session.idle'));
      events.close();
      expect(events.events[0]!.type).toBe('prompt.submitted');

      const replay = await gateway.promptChannelSession(
        { bindingId: binding.bindingId, text: 'Hello from Slack', externalUserId: 'U1' },
        { idempotencyKey: 'slack:Ev1' },
      );
      expect(replay.command.commandId).toBe(prompted.command.commandId);
      const reused = await failure(
        gateway.promptChannelSession({ bindingId: binding.bindingId, text: 'Something else', idempotencyKey: 'slack:Ev1' }),
      );
      expect(reused).toMatchObject({ kind: 'conflict', code: 'idempotency.key_reused' });
    });

    it('moves the read cursor forward only', async () => {
      const { binding } = await gateway.bindChannelSession(thread);
      const moved = await gateway.updateChannelCursor({
        bindingId: binding.bindingId,
        lastEventSequence: 7,
        lastWorkspaceSequence: 3,
        lastChatMessageId: 'm9',
      });
      expect(moved).toMatchObject({ ok: true, binding: { lastEventSequence: 7, lastWorkspaceSequence: 3, lastChatMessageId: 'm9' } });
      const stale = await gateway.updateChannelCursor({ bindingId: binding.bindingId, lastEventSequence: 1, lastWorkspaceSequence: 3 });
      expect(stale).toMatchObject({ ok: false, reason: 'stale', binding: { lastEventSequence: 7 } });
      expect(await gateway.updateChannelCursor({ bindingId: 'gone', lastEventSequence: 1, lastWorkspaceSequence: 0 })).toEqual({
        ok: false,
        reason: 'not_found',
      });
    });

    it('reads an artifact of the bound session as a data URL', async () => {
      const { binding } = await gateway.bindChannelSession(thread);
      const uploaded = await admin.uploadArtifact(binding.sessionId, {
        filename: 'report.md',
        contentType: 'text/markdown',
        dataBase64: Buffer.from('# Report\n').toString('base64'),
      });
      const attachment = await gateway.readChannelArtifactAttachment(binding.bindingId, uploaded.artifactId);
      expect(attachment).toEqual({
        mime: 'text/markdown',
        url: `data:text/markdown;base64,${Buffer.from('# Report\n').toString('base64')}`,
        filename: 'report.md',
      });
      expect(await gateway.readChannelArtifactAttachment(binding.bindingId, uploaded.filePath)).toEqual(attachment);
      expect(await failure(gateway.readChannelArtifactAttachment(binding.bindingId, 'art_missing'))).toMatchObject({ kind: 'not_found' });
    });
  });

  describe('interactions and provider events', () => {
    it('answers a permission with a one-time token; a second use is refused', async () => {
      const { binding } = await gateway.bindChannelSession({
        channelBindingId: 'cb-1',
        provider: 'slack',
        externalWorkspaceId: 'T1',
        externalChatId: 'C2',
        externalThreadId: '1',
      });
      const events = record<CloudSessionEvent>((handlers) => gateway.subscribeChannelSessionEvents(binding.bindingId, handlers));
      await gateway.promptChannelSession({ bindingId: binding.bindingId, text: 'List files [permission]' });
      await events.until(hasType('permission.requested'));
      const permissionId = String(events.events.find((event) => event.type === 'permission.requested')!.payload.permissionId);

      const created = await gateway.createChannelInteraction({
        agentId: 'ag-1',
        sessionBindingId: binding.bindingId,
        sessionId: binding.sessionId,
        provider: 'slack',
        kind: 'permission',
        targetId: permissionId,
        externalInteractionId: 'btn-1',
      });
      expect(created.plaintextToken).toMatch(/^ocit_/);
      expect(created.interaction).toMatchObject({
        status: 'pending',
        kind: 'permission',
        targetId: permissionId,
        externalInteractionId: 'btn-1',
        usedAt: null,
      });
      expect(created.interaction).not.toHaveProperty('tokenHash');

      const resolved = await gateway.resolveChannelInteraction({ token: created.plaintextToken, response: 'once', externalUserId: 'U1' });
      expect(resolved).toMatchObject({ processed: 1, interaction: { status: 'used' }, command: { kind: 'permission.respond' } });
      expect(resolved.processingError).toBeUndefined();
      await events.until(hasType('session.idle'));
      events.close();
      expect(events.events.find((event) => event.type === 'permission.resolved')!.payload).toMatchObject({ permissionId, allowed: true });

      expect(await failure(gateway.resolveChannelInteraction({ token: created.plaintextToken, response: 'once' }))).toMatchObject({
        status: 409,
        code: 'channels.interaction_used',
      });
      expect(await failure(gateway.resolveChannelInteraction({ externalInteractionId: 'btn-1', response: 'once' }))).toMatchObject({
        status: 409,
      });
      expect(await failure(gateway.resolveChannelInteraction({ token: 'ocit_wrong', response: 'once' }))).toMatchObject({
        kind: 'not_found',
      });
    });

    it('consumes the token and reports processingError when the question was already answered', async () => {
      const { binding } = await gateway.bindChannelSession({
        channelBindingId: 'cb-1',
        provider: 'slack',
        externalWorkspaceId: 'T1',
        externalChatId: 'C3',
        externalThreadId: '1',
      });
      const created = await gateway.createChannelInteraction({
        agentId: 'ag-1',
        sessionBindingId: binding.bindingId,
        sessionId: binding.sessionId,
        provider: 'slack',
        kind: 'question',
        targetId: 'no-such-question',
      });
      const resolved = await gateway.resolveChannelInteraction({ token: created.plaintextToken, answers: [['short']] });
      expect(resolved).toMatchObject({ interaction: { status: 'used' }, command: null, processed: 0, projectionFence: null });
      expect(resolved.processingError).toMatch(/question/i);
    });

    it('claims a provider event once; completes, fails and reclaims it', async () => {
      const input = {
        provider: 'slack',
        providerInstanceId: 'app1',
        providerEventId: 'Ev1',
        eventType: 'message',
        channelBindingId: 'cb-1',
        externalWorkspaceId: 'T1',
        ttlMs: 60_000,
      } as const;
      const first = await gateway.claimChannelProviderEvent({ ...input, claimedBy: 'gw-1' });
      expect(first).toMatchObject({ claimed: true, duplicate: false, event: { status: 'processing', claimedBy: 'gw-1', attemptCount: 1 } });
      const second = await gateway.claimChannelProviderEvent({ ...input, claimedBy: 'gw-2' });
      expect(second).toMatchObject({ claimed: false, duplicate: true, event: { eventId: first.event.eventId, claimedBy: 'gw-1' } });

      expect(
        await failure(gateway.completeChannelProviderEvent(first.event.eventId, { claimedBy: 'gw-2', status: 'processed' })),
      ).toMatchObject({ kind: 'not_found' });
      const failed = await gateway.completeChannelProviderEvent(first.event.eventId, {
        claimedBy: 'gw-1',
        status: 'failed',
        retryable: true,
        lastError: 'timeout',
      });
      expect(failed).toMatchObject({ status: 'failed', lastError: 'timeout', retryable: true });
      const reclaimed = await gateway.claimChannelProviderEvent({ ...input, claimedBy: 'gw-2' });
      expect(reclaimed).toMatchObject({ claimed: true, event: { claimedBy: 'gw-2', attemptCount: 2 } });
      const done = await gateway.completeChannelProviderEvent(first.event.eventId, { claimedBy: 'gw-2', status: 'processed' });
      expect(done.status).toBe('processed');
      expect(done.processedAt).not.toBeNull();
      expect((await gateway.claimChannelProviderEvent({ ...input, claimedBy: 'gw-3' })).duplicate).toBe(true);
    });
  });

  describe('deliveries', () => {
    const base = {
      agentId: 'ag-1',
      channelBindingId: 'cb-1',
      provider: 'slack',
      target: { channel: 'C1' },
      eventType: 'assistant.message',
    } as const;

    it('creates idempotently per delivery id, lists sanitised, streams, renews and acks', async () => {
      const created = await gateway.createChannelDelivery(
        { ...base, payload: { text: 'hi', botToken: 'secret-ish' }, deliveryId: 'd-1' },
        { idempotencyKey: 'k-d-1' },
      );
      expect(created).toMatchObject({
        deliveryId: 'd-1',
        status: 'pending',
        attemptCount: 0,
        claimedBy: null,
        payload: { text: 'hi', botToken: 'secret-ish' },
      });
      const repeat = await gateway.createChannelDelivery({ ...base, payload: { text: 'changed' }, deliveryId: 'd-1' });
      expect(repeat).toEqual(created);
      const listed = await gateway.listChannelDeliveries({ deliveryId: 'd-1', channelBindingId: 'cb-1', status: 'pending', limit: 10 });
      expect(listed).toHaveLength(1);
      expect(listed[0]!.payload).toEqual({ text: 'hi', botToken: '[redacted]' });

      expect(gateway.channelDeliveriesUrl({ claimedBy: 'gw-1', ttlMs: 5000, channelBindingIds: ['cb-1'] })).toBe(
        `${server.baseUrl}/api/channels/deliveries/stream?claimedBy=gw-1&ttlMs=5000&channelBindingId=cb-1`,
      );
      const received: ChannelDeliveryRecord[] = [];
      const stream = record<ChannelDeliveryRecord>(({ onEvent, onError, onClose }) =>
        gateway.subscribeChannelDeliveries({
          claimedBy: 'gw-1',
          ttlMs: 5000,
          channelBindingIds: ['cb-1'],
          onDelivery: onEvent,
          onError,
          onClose,
        }),
      );
      await stream.until((events) => events.some((delivery) => delivery.deliveryId === 'd-1'));
      received.push(...stream.events);
      const claimed = received.find((delivery) => delivery.deliveryId === 'd-1')!;
      // The stream sends the raw record: the payload is not sanitised there.
      expect(claimed).toMatchObject({ status: 'claimed', claimedBy: 'gw-1', attemptCount: 1, payload: { botToken: 'secret-ish' } });

      const renewed = await gateway.renewChannelDeliveryLease('d-1', { claimedBy: 'gw-1', ttlMs: 60_000 });
      expect(Date.parse(renewed.claimExpiresAt!)).toBeGreaterThan(Date.parse(claimed.claimExpiresAt!));
      expect(await failure(gateway.renewChannelDeliveryLease('d-1', { claimedBy: 'gw-2' }))).toMatchObject({
        status: 409,
        code: 'channels.delivery_lease_not_held',
      });
      expect(await failure(gateway.ackChannelDelivery('d-1', { status: 'sent', claimedBy: 'gw-2' }))).toMatchObject({ kind: 'not_found' });
      const acked = await gateway.ackChannelDelivery('d-1', { status: 'sent', claimedBy: 'gw-1', channelBindingId: 'cb-1' });
      expect(acked).toMatchObject({ status: 'sent', claimedBy: null, claimExpiresAt: null, lastClaimedBy: expect.any(String) });
      stream.close();
      expect(stream.errors).toEqual([]);
    });

    it('retries a failed delivery and dead-letters another; a sent delivery refuses both', async () => {
      await gateway.createChannelDelivery({ ...base, payload: { text: 'x' }, deliveryId: 'd-2', status: 'dead' });
      const retried = await gateway.retryChannelDelivery('d-2', { channelBindingId: 'cb-1' });
      expect(retried).toMatchObject({ status: 'failed', lastError: null });
      const dead = await gateway.deadLetterChannelDelivery('d-2');
      expect(dead).toMatchObject({ status: 'dead', lastError: 'Manually dead-lettered by gateway operator.' });
      const again = await gateway.retryChannelDelivery('d-2');
      expect(again.status).toBe('failed');
      const deadWithReason = await gateway.deadLetterChannelDelivery('d-2', { channelBindingId: 'cb-1', lastError: 'Bad target.' });
      expect(deadWithReason.lastError).toBe('Bad target.');
      expect(await failure(gateway.retryChannelDelivery('d-1'))).toMatchObject({ status: 409, code: 'channels.delivery_already_sent' });
      expect(await failure(gateway.deadLetterChannelDelivery('missing'))).toMatchObject({ kind: 'not_found' });
    });
  });

  describe('gateway token scope', () => {
    it('refuses bindings the token was not granted, on every kind of channel route', async () => {
      const notGranted = { status: 403, code: 'channels.binding_not_granted' };
      expect(
        await failure(
          gateway.bindChannelSession({ channelBindingId: 'cb-2', provider: 'telegram', externalChatId: 'c', externalThreadId: 't' }),
        ),
      ).toMatchObject(notGranted);
      expect(
        await failure(
          gateway.createChannelDelivery({
            agentId: 'ag-1',
            channelBindingId: 'cb-2',
            provider: 'telegram',
            target: {},
            eventType: 'x',
            payload: {},
          }),
        ),
      ).toMatchObject(notGranted);
      expect(await failure(gateway.listChannelDeliveries({ channelBindingId: 'cb-2' }))).toMatchObject(notGranted);
      expect(await failure(gateway.updateChannelBinding('cb-2', { displayName: 'x' }))).toMatchObject(notGranted);
      expect(
        await failure(
          gateway.claimChannelProviderEvent({
            provider: 'telegram',
            providerInstanceId: 'b',
            providerEventId: '1',
            eventType: 'message',
            claimedBy: 'g',
            channelBindingId: 'cb-2',
          }),
        ),
      ).toMatchObject(notGranted);
      const stream = record<ChannelDeliveryRecord>(({ onEvent, onError }) =>
        gateway.subscribeChannelDeliveries({ channelBindingIds: ['cb-2'], onDelivery: onEvent, onError }),
      );
      await stream.until(() => stream.errors.length > 0);
      expect(stream.errors[0]).toMatchObject({ status: 403, code: 'channels.binding_not_granted' });
      stream.close();
      // Its own listings only show what it was granted.
      expect((await gateway.listChannelBindings()).map((binding) => binding.bindingId)).toEqual(['cb-1']);
      expect((await gateway.listChannelDeliveries()).every((delivery) => delivery.channelBindingId === 'cb-1')).toBe(true);
      // Setup is for admins, and desktop tokens have no business on the gateway plane.
      expect(await failure(gateway.createHeadlessAgent({ name: 'x' }))).toMatchObject({ status: 403 });
      expect(await failure(outsider.listChannelBindings())).toMatchObject({ status: 403, code: 'channels.gateway_required' });
    });
  });
});
