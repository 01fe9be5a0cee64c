import { Type } from '@sinclair/typebox';

/** TypeBox schemas of the capability catalog routes, also used to check the configured catalog. */

const Str = (maxLength = 4096) => Type.String({ maxLength });

const CapabilityToolSchema = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 200 }),
  name: Str(200),
  icon: Type.Optional(Str(200)),
  description: Str(),
  kind: Type.Union([Type.Literal('mcp'), Type.Literal('built-in')]),
  source: Type.Union([Type.Literal('builtin'), Type.Literal('custom')]),
  origin: Type.Optional(Str()),
  scope: Type.Optional(Str(200)),
  namespace: Type.Optional(Str(200)),
  patterns: Type.Array(Str(200)),
  availableTools: Type.Optional(Type.Array(Type.Object({ id: Str(200), description: Str() }))),
  agentNames: Type.Array(Str(200)),
  credentials: Type.Optional(Type.Unknown()),
  integrationId: Type.Optional(Str(200)),
  authMode: Type.Optional(Type.Union([Type.Literal('none'), Type.Literal('oauth'), Type.Literal('api_token')])),
  enabled: Type.Optional(Type.Boolean()),
  credentialReady: Type.Optional(Type.Boolean()),
});

const CapabilitySkillSchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  label: Str(200),
  description: Str(),
  source: Str(200),
  origin: Type.Optional(Str()),
  scope: Type.Optional(Str(200)),
  location: Type.Optional(Str()),
  toolIds: Type.Optional(Type.Array(Str(200))),
  agentNames: Type.Array(Str(200)),
});

const CapabilitySkillBundleFileSchema = Type.Object({
  path: Type.String({ minLength: 1, maxLength: 1024 }),
  content: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});

const CapabilitySkillBundleSchema = Type.Object({
  name: Str(200),
  source: Str(200),
  origin: Type.Optional(Str()),
  scope: Type.Optional(Str(200)),
  location: Type.Optional(Str()),
  content: Type.Union([Type.String(), Type.Null()]),
  files: Type.Array(CapabilitySkillBundleFileSchema),
});

/** The configured catalog: tools, and skills each carrying their bundle. */
export const CapabilityCatalogSchema = Type.Object({
  tools: Type.Array(CapabilityToolSchema),
  skills: Type.Array(
    Type.Composite([
      CapabilitySkillSchema,
      Type.Object({
        bundle: Type.Object({ content: Type.Union([Type.String(), Type.Null()]), files: Type.Array(CapabilitySkillBundleFileSchema) }),
      }),
    ]),
  ),
});

export const ToolParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
export const SkillParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) });

export const ToolListResponse = Type.Object({ tools: Type.Array(CapabilityToolSchema) });
export const ToolResponse = Type.Object({ tool: CapabilityToolSchema });
export const SkillListResponse = Type.Object({ skills: Type.Array(CapabilitySkillSchema) });
export const SkillResponse = Type.Object({ skill: CapabilitySkillSchema });
export const BundleResponse = Type.Object({ bundle: CapabilitySkillBundleSchema });
export const CatalogResponse = Type.Object({ tools: Type.Array(CapabilityToolSchema), skills: Type.Array(CapabilitySkillSchema) });
