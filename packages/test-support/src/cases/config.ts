/** The config domain's calls as data, shared by the client's unit test and the server's OpenAPI test. */
import { get, type DomainCase } from './exchange.js';

const config = {
  role: 'member',
  profileName: 'default',
  features: { workflows: true },
  allowedAgents: null,
  allowedTools: ['read'],
  allowedMcps: null,
  publicBranding: null,
};
const workspace = {
  tenantId: 't1',
  tenantName: null,
  orgId: 'o1',
  orgName: 'Org',
  userId: 'u1',
  accountId: 'a1',
  email: 'a@example.test',
  role: 'owner',
  profileName: 'default',
  policy: {
    features: {},
    allowedAgents: null,
    allowedTools: null,
    allowedMcps: null,
    localFiles: 'disabled',
    localStdioMcps: 'disabled',
    machineRuntimeConfig: 'disabled',
  },
};
const runtime = {
  role: 'member',
  profileName: 'default',
  canExecute: true,
  commandProcessing: 'inline',
  checkpoints: false,
  heartbeats: [],
};

export const configCases: DomainCase[] = [
  { method: 'getConfig', args: [], exchanges: [get('/api/config', config)], result: config },
  { method: 'getWorkspace', args: [], exchanges: [get('/api/workspace', workspace)], result: workspace },
  { method: 'getRuntimeStatus', args: [], exchanges: [get('/api/runtime/status', runtime)], result: runtime },
];
