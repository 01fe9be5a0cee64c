import { createServer } from 'node:net';
import { parseArgs } from 'node:util';

/** The flags of `main.js`; `loadConfig` parses the same set, so the two never disagree. */
export const CLI_OPTIONS = {
  'data-dir': { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'database-url': { type: 'string' },
  capabilities: { type: 'string' },
  role: { type: 'string' },
  runtime: { type: 'string' },
  model: { type: 'string' },
  'rotate-token': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const USAGE = `Usage: npm start -- [options]     (or: node packages/cloud-server/dist/main.js [options])

Runs the local Open Cowork Cloud (reference server) with Cloud Web at /.

Options:
  --port N              listen port (default 8787; 0 picks a free one)       env PORT
  --host H              listen address (default 127.0.0.1)                    env OPEN_COWORK_CLOUD_HOST
  --data-dir DIR        embedded store directory (default .open-cowork-cloud) env OPEN_COWORK_CLOUD_DATA_DIR
  --database-url URL    use PostgreSQL instead of the embedded store          env DATABASE_URL
  --capabilities FILE   JSON {tools, skills} served by the capability routes
  --role R              all (default), api or worker: serve the API, run runtime workers, or both  env OPEN_COWORK_CLOUD_ROLE
  --runtime R           scripted (default) or opencode                        env OPEN_COWORK_CLOUD_RUNTIME
  --model P/M           the model OpenCode answers with, e.g. openai/gpt-4.1-mini  env OPEN_COWORK_CLOUD_MODEL
  --rotate-token        revoke the kept local token and print a new one
  -h, --help            print this help and exit

More settings (environment only): packages/cloud-server/README.md
`;

export type CliCommand = { kind: 'run'; rotateToken: boolean } | { kind: 'help' } | { kind: 'usage-error'; message: string };

/** What the command line asks for; a bad flag becomes a one-line message, never a throw. */
export function parseCli(argv: string[]): CliCommand {
  try {
    const { values } = parseArgs({ args: argv, options: CLI_OPTIONS, strict: true });
    if (values.help) return { kind: 'help' };
    return { kind: 'run', rotateToken: values['rotate-token'] ?? false };
  } catch (error) {
    // parseArgs explains itself in one sentence, then adds advice about `--` that does not apply here.
    return { kind: 'usage-error', message: (error as Error).message.split('\n')[0]! };
  }
}

/**
 * Why `host:port` cannot be listened on, or null when it can. Asked before anything else starts,
 * so that a second `npm start` fails at once instead of after opening the store.
 */
export function portProblem(host: string, port: number): Promise<string | null> {
  if (port === 0) return Promise.resolve(null);
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      const why =
        error.code === 'EADDRINUSE'
          ? 'is already in use (is another local cloud running?)'
          : `cannot be used (${error.code ?? error.message})`;
      resolve(
        `Port ${port} on ${host} ${why}. Start on another one with --port, e.g. npm start -- --port ${port + 1} (0 picks a free port).`,
      );
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(null)));
  });
}
