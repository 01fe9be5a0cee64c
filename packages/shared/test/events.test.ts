import { describe, expect, it } from 'vitest';
import {
  CHANNEL_RENDERABLE_EVENT_TYPES,
  CLOUD_EVENT_CONTRACT_VERSION,
  CLOUD_SESSION_EVENT_TYPES,
  CONTROL_EVENT_TYPES,
  isCloudSessionEventType,
  isProjectedSessionEventType,
  PROJECTED_SESSION_EVENT_TYPES,
  workspaceOperationForEventType,
} from '../src/events.js';

// Written out here so a rename in the source fails here.
const PROJECTED = [
  'session.created',
  'session.imported',
  'session.project_source.bound',
  'prompt.submitted',
  'assistant.message',
  'tool.call',
  'task.run',
  'permission.requested',
  'permission.resolved',
  'question.asked',
  'question.resolved',
  'todos.updated',
  'cost.updated',
  'artifact.created',
  'artifact.updated',
  'session.status',
  'session.idle',
  'session.aborted',
  'runtime.error',
];
const CONTROL = ['snapshot.required', 'channel.delivery'];
const CHANNEL_RENDERABLE = [
  'assistant.message',
  'tool.call',
  'permission.requested',
  'question.asked',
  'artifact.created',
  'artifact.updated',
];

describe('session event-type contract', () => {
  it('is version 1', () => {
    expect(CLOUD_EVENT_CONTRACT_VERSION).toBe(1);
  });

  it('lists exactly the 19 projected and 2 control types, in contract order', () => {
    expect(CLOUD_SESSION_EVENT_TYPES.map((entry) => entry.type)).toEqual([...PROJECTED, ...CONTROL]);
    expect(PROJECTED_SESSION_EVENT_TYPES).toEqual(PROJECTED);
    expect(CONTROL_EVENT_TYPES).toEqual(CONTROL);
  });

  it('marks exactly the six channel-renderable types', () => {
    expect([...CHANNEL_RENDERABLE_EVENT_TYPES].sort()).toEqual([...CHANNEL_RENDERABLE].sort());
  });

  it('gives every entry facets, producers, consumers and a description', () => {
    for (const entry of CLOUD_SESSION_EVENT_TYPES) {
      expect(entry.facets.length, entry.type).toBeGreaterThan(0);
      expect(entry.producers.length, entry.type).toBeGreaterThan(0);
      expect(entry.consumers.length, entry.type).toBeGreaterThan(0);
      expect(entry.description.length, entry.type).toBeGreaterThan(0);
    }
  });

  it('never marks a control type as channel-renderable', () => {
    for (const type of CONTROL_EVENT_TYPES) expect(CHANNEL_RENDERABLE_EVENT_TYPES).not.toContain(type);
  });

  it('recognises contract types and rejects others, including the non-contract session.updated', () => {
    for (const type of [...PROJECTED, ...CONTROL]) expect(isCloudSessionEventType(type)).toBe(true);
    expect(isCloudSessionEventType('session.updated')).toBe(false);
    expect(isCloudSessionEventType('toString')).toBe(false);
    expect(isCloudSessionEventType(42)).toBe(false);
    expect(isProjectedSessionEventType('assistant.message')).toBe(true);
    expect(isProjectedSessionEventType('snapshot.required')).toBe(false);
  });
});

describe('workspaceOperationForEventType', () => {
  it.each([
    ['session.created', 'create'],
    ['prompt.submitted', 'create'],
    ['artifact.created', 'create'],
    ['artifact.uploaded', 'create'],
    ['task.started', 'create'],
    ['session.deleted', 'delete'],
    ['artifact.removed', 'delete'],
    ['session.archived', 'delete'],
    ['assistant.message', 'update'],
    ['artifact.updated', 'update'],
    ['session.project_source.bound', 'update'],
    ['session.imported', 'update'],
  ])('derives %s → %s from the last segment of the type name', (type, operation) => {
    expect(workspaceOperationForEventType(type)).toBe(operation);
  });
});

describe('CLOUD_SESSION_EVENT_TYPE_NAMES', () => {
  it('lists the type names of the contract, in contract order', async () => {
    const { CLOUD_SESSION_EVENT_TYPE_NAMES, CLOUD_SESSION_EVENT_TYPES } = await import('../src/index.js');
    expect(CLOUD_SESSION_EVENT_TYPE_NAMES).toEqual(CLOUD_SESSION_EVENT_TYPES.map((entry) => entry.type));
  });
});
