/** Capability catalog wire records: tools and skills. */

export interface CapabilityToolAvailableTool {
  id: string;
  description: string;
}

/** A tool (MCP server or built-in) the workspace's agents can use. */
export interface CapabilityTool {
  id: string;
  name: string;
  icon?: string;
  description: string;
  kind: 'mcp' | 'built-in';
  source: 'builtin' | 'custom';
  origin?: string;
  scope?: string;
  namespace?: string;
  patterns: string[];
  availableTools?: CapabilityToolAvailableTool[];
  agentNames: string[];
  credentials?: unknown;
  integrationId?: string;
  authMode?: 'none' | 'oauth' | 'api_token';
  enabled?: boolean;
  credentialReady?: boolean;
}

/** A skill (instructions plus files) available to the workspace's agents. */
export interface CapabilitySkill {
  name: string;
  label: string;
  description: string;
  source: string;
  origin?: string;
  scope?: string;
  location?: string;
  toolIds?: string[];
  agentNames: string[];
}

/** One file of a skill bundle. `content` is the file text (the first client read it without typing it). */
export interface CapabilitySkillBundleFile {
  path: string;
  content?: string | null;
}

/** A skill with its main content and every file it ships. */
export interface CapabilitySkillBundle {
  name: string;
  source: string;
  origin?: string;
  scope?: string;
  location?: string;
  /** The skill's main document, or null when it has none. */
  content: string | null;
  files: CapabilitySkillBundleFile[];
}
