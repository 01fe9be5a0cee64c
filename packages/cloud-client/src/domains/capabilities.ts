import type { CapabilitySkill, CapabilitySkillBundle, CapabilityTool } from '@open-cowork/shared';
import type { CloudClientContext } from '../core/context.js';
import { apiPath } from '../core/path.js';
import { check, isNonEmpty, requireArray } from '../core/validate.js';

export type { CapabilitySkill, CapabilitySkillBundle, CapabilityTool };

function requirePath(method: string, path: unknown): asserts path is string {
  check(isNonEmpty(path), `${method}: path must be a non-empty string.`);
}

function fileContent(bundle: CapabilitySkillBundle, path: string): string | null {
  return bundle.files?.find((file) => file.path === path)?.content ?? null;
}

/** The tools and skills the workspace's agents can use. Read-only. */
export function createCloudCapabilitiesClient(ctx: CloudClientContext) {
  async function getCapabilitySkillBundle(name: string): Promise<CapabilitySkillBundle> {
    const path = apiPath`/api/capabilities/skills/${name}/bundle`;
    return (await ctx.request<{ bundle: CapabilitySkillBundle }>(path)).bundle;
  }

  return {
    /** `GET /api/capabilities/tools` → `.tools`. */
    async listCapabilityTools(): Promise<CapabilityTool[]> {
      return (await ctx.request<{ tools: CapabilityTool[] }>('/api/capabilities/tools')).tools;
    },

    /** `GET /api/capabilities/tools/:id` → `.tool`; a missing tool is kind `not_found`. */
    async getCapabilityTool(id: string): Promise<CapabilityTool> {
      return (await ctx.request<{ tool: CapabilityTool }>(apiPath`/api/capabilities/tools/${id}`)).tool;
    },

    /** `GET /api/capabilities/skills` → `.skills`. */
    async listCapabilitySkills(): Promise<CapabilitySkill[]> {
      return (await ctx.request<{ skills: CapabilitySkill[] }>('/api/capabilities/skills')).skills;
    },

    /** `GET /api/capabilities/skills/:name/bundle` → `.bundle` with every file's content; missing is `not_found`. */
    getCapabilitySkillBundle,

    /**
     * The content of one file of a skill bundle, or `null` when the bundle has no such file (or it
     * has no content). Downloads the whole bundle each call: use `readCapabilitySkillBundleFiles`
     * for several files, or keep the result of `getCapabilitySkillBundle`.
     */
    async readCapabilitySkillBundleFile(name: string, path: string): Promise<string | null> {
      requirePath('readCapabilitySkillBundleFile', path);
      return fileContent(await getCapabilitySkillBundle(name), path);
    },

    /** Several files of one bundle with a single download: `{[path]: content or null}`. */
    async readCapabilitySkillBundleFiles(name: string, paths: readonly string[]): Promise<Record<string, string | null>> {
      requireArray(paths, 'readCapabilitySkillBundleFiles: paths');
      paths.forEach((path) => requirePath('readCapabilitySkillBundleFiles', path));
      const bundle = await getCapabilitySkillBundle(name);
      return Object.fromEntries(paths.map((path) => [path, fileContent(bundle, path)]));
    },
  };
}

export type CloudCapabilitiesClient = ReturnType<typeof createCloudCapabilitiesClient>;
