import type { CloudClientContext } from '../core/context.js';

// Placeholder until the domain lands.
export function createCloudArtifactsClient(ctx: CloudClientContext) {
  void ctx;
  return {};
}
