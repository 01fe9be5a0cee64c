import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, devNull, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { createOpencodeClient, type Event as OpenCodeEvent, type OpencodeClient } from '@opencode-ai/sdk/v2/client';

/** The `opencode-ai` version this server is built and tested against (the package.json pin). */
export const OPENCODE_VERSION: string = createRequire(import.meta.url)('opencode-ai/package.json').version;

interface Logger {
  warn(details: object, message: string): void;
}

/**
 * The OpenCode binary. `opencode-ai` only ships a launcher whose postinstall copies the binary of
 * the platform package (`opencode-linux-x64`, `-baseline`, `-musl`, …, optional dependencies of
 * `opencode-ai`) into place; installs that skip install scripts never run it, so the binary is
 * taken straight from the first platform package that is installed.
 * `OPEN_COWORK_CLOUD_OPENCODE_BIN` names another binary.
 */
export function findOpenCodeBinary(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.OPEN_COWORK_CLOUD_OPENCODE_BIN) return env.OPEN_COWORK_CLOUD_OPENCODE_BIN;
  const os = platform() === 'win32' ? 'windows' : platform();
  const executable = os === 'windows' ? 'opencode.exe' : 'opencode';
  const fromLauncher = createRequire(createRequire(import.meta.url).resolve('opencode-ai/package.json'));
  for (const variant of ['', '-baseline', '-musl', '-baseline-musl']) {
    try {
      const binary = join(dirname(fromLauncher.resolve(`opencode-${os}-${arch()}${variant}/package.json`)), 'bin', executable);
      if (existsSync(binary)) return binary;
    } catch {
      // Not installed for this machine: try the next variant.
    }
  }
  return null;
}

/** What every OpenCode server of this cloud runs with, beside the provider settings. */
const BASE_CONFIG = {
  $schema: 'https://opencode.ai/config.json',
  autoupdate: false,
  share: 'disabled',
  // Actions with effects outside the reply wait for the user: they arrive as permission requests.
  permission: { bash: 'ask', edit: 'ask', webfetch: 'ask', external_directory: 'ask' },
};

/** The environment of the OpenCode process: its own directories, and nothing that reaches the network. */
function serverEnv(root: string, config: object, password: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    LANG: process.env.LANG,
    HOME: join(root, 'home'),
    XDG_CONFIG_HOME: join(root, 'config'),
    XDG_DATA_HOME: join(root, 'data'),
    XDG_CACHE_HOME: join(root, 'cache'),
    XDG_STATE_HOME: join(root, 'state'),
    OPENCODE_CONFIG_CONTENT: JSON.stringify({ ...BASE_CONFIG, ...config }),
    OPENCODE_SERVER_PASSWORD: password,
    OPENCODE_DISABLE_MODELS_FETCH: 'true',
    OPENCODE_DISABLE_AUTOUPDATE: 'true',
    OPENCODE_DISABLE_SHARE: 'true',
    OPENCODE_DISABLE_DEFAULT_PLUGINS: 'true',
    OPENCODE_DISABLE_LSP_DOWNLOAD: 'true',
    OPENCODE_DISABLE_CLAUDE_CODE: 'true',
    OPENCODE_DISABLE_EXTERNAL_SKILLS: 'true',
    OPENCODE_DISABLE_PROJECT_CONFIG: 'true',
    OPENCODE_ENABLE_QUESTION_TOOL: 'true',
    // OpenCode installs npm packages on its own (plugins, providers it does not bundle): point npm
    // at a closed local port so that such an attempt fails at once instead of reaching out.
    npm_config_registry: 'http://127.0.0.1:9/',
  };
}

/**
 * OpenCode installs `@opencode-ai/plugin` into its config directory in the background unless the
 * directory's lock file already lists it. Custom tools are not used here, so a lock file that
 * says so is enough, and no install is attempted. OpenCode also appends its log, provider error
 * messages included, to its own file: that file is sent to the null device, and the same lines
 * reach the redacted log through stderr (`--print-logs`).
 */
async function prepareDirectories(root: string): Promise<void> {
  const ownLog = join(root, 'data', 'opencode', 'log', 'opencode.log');
  await mkdir(dirname(ownLog), { recursive: true });
  await rm(ownLog, { force: true });
  await symlink(devNull, ownLog);
  const configDir = join(root, 'config', 'opencode');
  await mkdir(join(configDir, 'node_modules'), { recursive: true });
  for (const dir of ['home', 'data', 'cache', 'state', 'sessions']) await mkdir(join(root, dir), { recursive: true });
  const dependencies = { '@opencode-ai/plugin': OPENCODE_VERSION };
  await writeFile(join(configDir, 'package.json'), JSON.stringify({ dependencies }));
  await writeFile(join(configDir, 'package-lock.json'), JSON.stringify({ packages: { '': { dependencies } } }));
}

export interface RunningOpenCode {
  client: OpencodeClient;
  /** Calls `listener` with every event of every OpenCode session; returns the unsubscribe. */
  onEvent(listener: (event: OpenCodeEvent) => void): () => void;
  /** Calls `listener` once when the process exits, with why; returns the unsubscribe. */
  onExit(listener: (reason: string) => void): () => void;
}

const START_TIMEOUT_MS = 120_000;

/**
 * One `opencode serve` process on 127.0.0.1 and a port it picks, protected by a random password,
 * with its config, data, cache and state under `root`. Started on first use, started again by the
 * next use after it died, restarted when its config (the provider key) changes, and stopped by
 * `stop()`. Its output goes, with secrets redacted, to `root/opencode-server.log`.
 */
export function createOpenCodeServer(options: { binary: string; root: string; logger: Logger; redact(text: string): string }) {
  const { binary, root, logger, redact } = options;
  const logFile = join(root, 'opencode-server.log');
  let current: { configKey: string; started: Promise<RunningOpenCode>; process: ChildProcess | null; stop(): void } | null = null;

  async function start(config: object): Promise<{ running: RunningOpenCode; process: ChildProcess; stop(): void }> {
    await prepareDirectories(root);
    const password = randomBytes(24).toString('base64url');
    const child = spawn(binary, ['serve', '--hostname=127.0.0.1', '--port=0', '--print-logs', '--log-level=WARN'], {
      cwd: join(root, 'sessions'),
      env: serverEnv(root, config, password),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exitListeners = new Set<(reason: string) => void>();
    const eventListeners = new Set<(event: OpenCodeEvent) => void>();
    const streams = new AbortController();
    let stopped = false;
    const log = (chunk: Buffer) => void appendFile(logFile, redact(chunk.toString('utf8'))).catch(() => undefined);
    child.stderr!.on('data', log);

    const url = await new Promise<string>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`OpenCode did not start within ${START_TIMEOUT_MS / 1000} s.`));
      }, START_TIMEOUT_MS);
      child.stdout!.on('data', (chunk: Buffer) => {
        log(chunk);
        if (output.length > 64 * 1024) return;
        output += chunk.toString('utf8');
        const listening = /listening on (http:\/\/\S+)/.exec(output);
        if (listening) {
          clearTimeout(timer);
          resolve(listening[1]!);
        }
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`OpenCode exited (${signal ?? `code ${code}`}) before it was ready: ${redact(output).slice(-500)}`));
      });
    });
    child.once('exit', (code, signal) => {
      streams.abort();
      const reason = stopped
        ? 'OpenCode was restarted or stopped during this turn.'
        : `OpenCode exited unexpectedly (${signal ?? `code ${code}`}).`;
      if (!stopped) logger.warn({ code, signal }, reason);
      for (const listener of exitListeners) listener(reason);
    });

    const client = createOpencodeClient({
      baseUrl: url,
      headers: { authorization: `Basic ${Buffer.from(`opencode:${password}`).toString('base64')}` },
    });
    // One event stream for the whole server; turns pick their session's events from it.
    const events = await client.global.event({ signal: streams.signal, sseDefaultRetryDelay: 500 });
    const iterator = events.stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    if (first.done) throw new Error('The OpenCode event stream closed at once.');
    void (async () => {
      try {
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
          const payload = (next.value as { payload?: OpenCodeEvent }).payload;
          if (!payload?.properties) continue;
          for (const listener of eventListeners) {
            try {
              listener(payload);
            } catch (error) {
              logger.warn({ err: error, type: payload.type }, 'an OpenCode event could not be handled');
            }
          }
        }
      } catch {
        // The stream ends when the server stops; a dead server is reported through onExit.
      }
    })();

    const subscribe = <T>(set: Set<T>, listener: T) => {
      set.add(listener);
      return () => void set.delete(listener);
    };
    return {
      process: child,
      running: {
        client,
        onEvent: (listener) => subscribe(eventListeners, listener),
        onExit: (listener) => subscribe(exitListeners, listener),
      },
      stop() {
        stopped = true;
        streams.abort();
        child.kill('SIGTERM');
        const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => clearTimeout(force));
      },
    };
  }

  return {
    /**
     * The running server for `config`: the current one when it is alive and has this config,
     * else a fresh one (the previous one is stopped first).
     */
    async ensure(config: object): Promise<RunningOpenCode> {
      const configKey = JSON.stringify(config);
      const alive = current && (current.process === null || current.process.exitCode === null) && current.process?.signalCode == null;
      if (current && alive && current.configKey === configKey) return current.started;
      current?.stop();
      const entry: NonNullable<typeof current> = { configKey, started: undefined as never, process: null, stop: () => undefined };
      entry.started = start(config).then(
        (started) => {
          entry.process = started.process;
          entry.stop = started.stop;
          return started.running;
        },
        (error: unknown) => {
          if (current === entry) current = null;
          throw error;
        },
      );
      current = entry;
      return entry.started;
    },

    /** Stops the server (if any) and waits for its process to end. */
    async stop(): Promise<void> {
      const entry = current;
      current = null;
      if (!entry) return;
      await entry.started.catch(() => undefined);
      const child = entry.process;
      entry.stop();
      if (child && child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}
