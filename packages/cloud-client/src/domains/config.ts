import type { CloudRuntimeStatus, CloudTransportConfig, CloudWorkspaceOverview } from '@open-cowork/shared';
import type { CloudClientContext } from '../core/context.js';

/** Configuration, workspace overview and runtime status of the signed-in caller. */
export function createCloudConfigClient(ctx: CloudClientContext) {
  return {
    /** `GET /api/config`: role, profile, feature flags and allow-lists (`null` = unrestricted). */
    async getConfig(): Promise<CloudTransportConfig> {
      return ctx.request<CloudTransportConfig>('/api/config');
    },

    /**
     * `GET /api/workspace`: tenant, organisation, account and policy. Rejects `forbidden` when the
     * membership is inactive.
     */
    async getWorkspace(): Promise<CloudWorkspaceOverview> {
      return ctx.request<CloudWorkspaceOverview>('/api/workspace');
    },

    /** `GET /api/runtime/status`: whether the cloud can execute prompts, and how commands are processed. */
    async getRuntimeStatus(): Promise<CloudRuntimeStatus> {
      return ctx.request<CloudRuntimeStatus>('/api/runtime/status');
    },
  };
}

/** The config domain's methods. */
export type CloudConfigClient = ReturnType<typeof createCloudConfigClient>;
