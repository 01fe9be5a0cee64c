import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { httpError } from '../errors.js';
import {
  BundleResponse,
  CatalogResponse,
  SkillListResponse,
  SkillParams,
  SkillResponse,
  ToolListResponse,
  ToolParams,
  ToolResponse,
} from '../schemas/capabilities.js';

/** The tool and skill catalog of configuration. Read-only. */
export async function capabilityRoutes(app: FastifyInstance) {
  const member = { access: 'member' as const };
  const { tools, skills: catalogSkills } = app.config.capabilities;
  // The list entries are skills without their bundles.
  const skills = catalogSkills.map(({ bundle: _bundle, ...skill }) => skill);

  const skillNamed = (name: string) => {
    const skill = catalogSkills.find((entry) => entry.name === name);
    if (!skill) throw httpError('capabilities.skill_not_found', `No skill is named "${name}".`);
    return skill;
  };

  app.get('/api/capabilities', { config: member, schema: { response: { 200: CatalogResponse } } }, async () => ({ tools, skills }));

  app.get('/api/capabilities/tools', { config: member, schema: { response: { 200: ToolListResponse } } }, async () => ({ tools }));

  app.get<{ Params: Static<typeof ToolParams> }>(
    '/api/capabilities/tools/:id',
    { config: member, schema: { params: ToolParams, response: { 200: ToolResponse } } },
    async (request) => {
      const tool = tools.find((entry) => entry.id === request.params.id);
      if (!tool) throw httpError('capabilities.tool_not_found', `No tool has the id "${request.params.id}".`);
      return { tool };
    },
  );

  app.get('/api/capabilities/skills', { config: member, schema: { response: { 200: SkillListResponse } } }, async () => ({ skills }));

  app.get<{ Params: Static<typeof SkillParams> }>(
    '/api/capabilities/skills/:name',
    { config: member, schema: { params: SkillParams, response: { 200: SkillResponse } } },
    async (request) => {
      const { bundle: _bundle, ...skill } = skillNamed(request.params.name);
      return { skill };
    },
  );

  app.get<{ Params: Static<typeof SkillParams> }>(
    '/api/capabilities/skills/:name/bundle',
    { config: member, schema: { params: SkillParams, response: { 200: BundleResponse } } },
    async (request) => {
      const skill = skillNamed(request.params.name);
      return {
        bundle: {
          name: skill.name,
          source: skill.source,
          ...(skill.origin !== undefined ? { origin: skill.origin } : {}),
          ...(skill.scope !== undefined ? { scope: skill.scope } : {}),
          ...(skill.location !== undefined ? { location: skill.location } : {}),
          content: skill.bundle.content,
          files: skill.bundle.files,
        },
      };
    },
  );
}
