import type { CloudClientContext } from '../core/context.js';

// Placeholder until the domain lands.
export function createCloudWorkflowsClient(ctx: CloudClientContext) {
  void ctx;
  return {};
}
