import type { CloudClientContext } from '../core/context.js';

// Placeholder until the domain lands.
export function createCloudConfigClient(ctx: CloudClientContext) {
  void ctx;
  return {};
}
