/** Capability catalog wire records, tools and skills: their schemas are in `schemas/capabilities.ts`. */

import type { Static } from '@sinclair/typebox';
import type * as S from './schemas/capabilities.js';

export const CAPABILITY_TOOL_KINDS = ['mcp', 'built-in'] as const;
export const CAPABILITY_TOOL_SOURCES = ['builtin', 'custom'] as const;
export const CAPABILITY_AUTH_MODES = ['none', 'oauth', 'api_token'] as const;

export type CapabilityToolAvailableTool = Static<typeof S.CapabilityToolAvailableToolSchema>;
/** A tool (MCP server or built-in) the workspace's agents can use. */
export type CapabilityTool = Static<typeof S.CapabilityToolSchema>;
/** A skill (instructions plus files) available to the workspace's agents. */
export type CapabilitySkill = Static<typeof S.CapabilitySkillSchema>;
/** One file of a skill bundle. `content` is the file text (the first client read it without typing it). */
export type CapabilitySkillBundleFile = Static<typeof S.CapabilitySkillBundleFileSchema>;
/** A skill with its main content (null when it has none) and every file it ships. */
export type CapabilitySkillBundle = Static<typeof S.CapabilitySkillBundleSchema>;
