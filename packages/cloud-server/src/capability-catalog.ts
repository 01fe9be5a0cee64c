import type { CapabilitySkill, CapabilitySkillBundleFile, CapabilityTool } from '@open-cowork/shared';

/** A skill of the catalog with the bundle `GET /api/capabilities/skills/:name/bundle` serves. */
interface CatalogSkill extends CapabilitySkill {
  bundle: { content: string | null; files: CapabilitySkillBundleFile[] };
}

/** The tool and skill catalog of `/api/capabilities`. */
export interface CapabilityCatalog {
  tools: CapabilityTool[];
  skills: CatalogSkill[];
}

const skillDoc = (title: string, body: string) => `---\nname: ${title}\n---\n\n# ${title}\n\n${body}\n`;

/** A small built-in catalog, so that a fresh server has something real to show. */
export const DEFAULT_CAPABILITIES: CapabilityCatalog = {
  tools: [
    {
      id: 'web-search',
      name: 'Web search',
      icon: 'globe',
      description: 'Searches the public web and returns titles, links and snippets.',
      kind: 'built-in',
      source: 'builtin',
      origin: 'open-cowork',
      namespace: 'web',
      patterns: ['web_search', 'web_fetch'],
      availableTools: [
        { id: 'web_search', description: 'Search the web for a query.' },
        { id: 'web_fetch', description: 'Fetch one page as text.' },
      ],
      agentNames: ['build', 'research'],
      authMode: 'none',
      enabled: true,
      credentialReady: true,
    },
    {
      id: 'artifacts',
      name: 'Cloud artifacts',
      icon: 'file',
      description: 'Creates and updates documents, charts and spreadsheets attached to the session.',
      kind: 'built-in',
      source: 'builtin',
      origin: 'open-cowork',
      namespace: 'cloud',
      patterns: ['artifact_*'],
      availableTools: [
        { id: 'artifact_create', description: 'Create an artifact.' },
        { id: 'artifact_update', description: 'Replace the content of an artifact.' },
      ],
      agentNames: ['build'],
      authMode: 'none',
      enabled: true,
      credentialReady: true,
    },
    {
      id: 'github',
      name: 'GitHub',
      icon: 'github',
      description: 'Reads repositories, issues and pull requests through the GitHub MCP server.',
      kind: 'mcp',
      source: 'builtin',
      origin: 'github.com/github/github-mcp-server',
      namespace: 'github',
      patterns: ['github_*'],
      agentNames: ['build'],
      integrationId: 'github',
      authMode: 'oauth',
      enabled: false,
      credentialReady: false,
    },
  ],
  skills: [
    {
      name: 'summarize-document',
      label: 'Summarize a document',
      description: 'Turns a long document into a one-page brief with decisions and open questions.',
      source: 'builtin',
      origin: 'open-cowork',
      location: 'builtin://skills/summarize-document',
      toolIds: ['artifacts'],
      agentNames: ['build', 'research'],
      bundle: {
        content: skillDoc('summarize-document', 'Read the whole document first. Then write: context (3 lines), decisions, open questions.'),
        files: [
          {
            path: 'SKILL.md',
            content: skillDoc(
              'summarize-document',
              'Read the whole document first. Then write: context (3 lines), decisions, open questions.',
            ),
          },
          { path: 'templates/brief.md', content: '# Brief\n\n## Context\n\n## Decisions\n\n## Open questions\n' },
        ],
      },
    },
    {
      name: 'weekly-report',
      label: 'Weekly report',
      description: 'Collects the week’s sessions and artifacts into a status report.',
      source: 'builtin',
      origin: 'open-cowork',
      location: 'builtin://skills/weekly-report',
      toolIds: ['artifacts', 'web-search'],
      agentNames: ['build'],
      bundle: {
        content: skillDoc('weekly-report', 'List what shipped, what slipped and what is next, one line each.'),
        files: [
          { path: 'SKILL.md', content: skillDoc('weekly-report', 'List what shipped, what slipped and what is next, one line each.') },
          { path: 'templates/report.md', content: '# Week {{week}}\n\n## Shipped\n\n## Slipped\n\n## Next\n' },
          { path: 'examples/sample.md', content: '# Week 12\n\n## Shipped\n- Billing page\n' },
        ],
      },
    },
  ],
};
