import type { CloudClientContext } from '../core/context.js';

// Placeholder until the domain lands.
export function createCloudBillingClient(ctx: CloudClientContext) {
  void ctx;
  return {};
}
