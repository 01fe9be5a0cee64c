import { randomBytes } from 'node:crypto';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CLI_OPTIONS } from './cli.js';
import { createAccountConfig, loadAccountConfig, type AccountConfig, type AccountConfigInput } from './account-config.js';
import type { LeaseSettings } from './services/workers.js';
import { createSecurityConfig, securityConfigFromEnv, type SecurityConfig, type SecurityConfigInput } from './security-config.js';
import type { DbTarget } from './store/open.js';

/** What a server process does: serve the HTTP API, run runtime workers, or both (the default). */
type ServerRole = 'all' | 'api' | 'worker';
const SERVER_ROLES: readonly ServerRole[] = ['all', 'api', 'worker'];

export interface OidcConfig {
  /** The `iss` every accepted token carries. */
  issuer: string;
  /** The `aud` every accepted token carries. */
  audience: string;
  /** Where the signing keys are; default: `jwks_uri` of the issuer's discovery document. */
  jwksUrl: string | null;
  /** Sent to Desktop by `GET /auth/desktop/config`. */
  clientId: string | null;
  scope: string;
}

/** What answers prompts: the deterministic `scripted` runtime, or OpenCode with a real model. */
interface RuntimeConfig {
  kind: 'scripted' | 'opencode';
  /** `<provider>/<model>` OpenCode answers with (`--model`, env `OPEN_COWORK_CLOUD_MODEL`). */
  model: string | null;
  /** Where the OpenCode server keeps its config, data and session directories; null: a temporary one. */
  dataDir: string | null;
  /** The `openai-compatible` provider (env `OPEN_COWORK_CLOUD_OPENAI_COMPATIBLE_BASE_URL` / `_API_KEY`). */
  openaiCompatible: { baseUrl: string; apiKey: string | null } | null;
}

export interface ServerConfig extends AccountConfig {
  host: string;
  port: number;
  store: DbTarget;
  /** Signs session cookies (HMAC-SHA256); at least 32 bytes. */
  cookieSecret: string;
  /** `Secure` cookies; off only for plain-http local mode. */
  cookieSecure: boolean;
  sessionTtlMs: number;
  oidc: OidcConfig | null;
  /** The operator token (env `OPEN_COWORK_CLOUD_OPERATOR_TOKEN`); operator routes are closed without it. */
  operatorToken: string | null;
  /** The org every user belongs to in this single-org server. */
  defaultOrg: { slug: string; name: string };
  /** The owner of the default org; `npm start` mints the local token for this user. */
  ownerEmail: string;
  sse: {
    heartbeatMs: number;
    /** The `retry:` hint sent on connect. */
    retryMs: number;
    maxStreamsPerOrg: number;
    /** So that one member cannot take every stream of the org. */
    maxStreamsPerUser: number;
    /** A connection that falls this far behind is dropped (the client resumes from its cursor); the most a stalled client costs. */
    maxBufferedBytes: number;
  };
  /** The built Cloud Web assets served at `/` (env `OPEN_COWORK_CLOUD_WEB_DIR`). */
  webDir: string;
  /** Largest decoded artifact upload, in bytes (env `OPEN_COWORK_CLOUD_ARTIFACT_MAX_BYTES`; default 25 MiB). */
  artifactMaxBytes: number;
  runtime: RuntimeConfig;
  /** Pino level; `silent` turns request logging off (the default for tests). */
  logLevel: 'silent' | 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /** `all`: API and runtime workers; `api`: no workers; `worker`: workers, and only health and status over HTTP. */
  role: ServerRole;
  /** Session leases of runtime workers (default 30 s, renewed every third of that). */
  lease: LeaseSettings;
  /** Sessions, sign-in, rate limits, timeouts, CORS (`src/security-config.ts`). */
  security: SecurityConfig;
}

export type ConfigInput = Partial<Omit<ServerConfig, 'sse' | 'lease' | 'security' | 'runtime' | keyof AccountConfig>> & {
  sse?: Partial<ServerConfig['sse']>;
  lease?: Partial<LeaseSettings>;
  security?: SecurityConfigInput;
  runtime?: Partial<RuntimeConfig>;
} & AccountConfigInput;

export const DEFAULT_DATA_DIR = '.open-cowork-cloud';
/** `apps/cloud-web/dist` of this checkout, from `src/` and `dist/` alike. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../../apps/cloud-web/dist', import.meta.url));
const MIN_SECRET_BYTES = 32;

/** A complete config from explicit values and defaults (in-memory store, random cookie secret). */
export function createConfig(input: ConfigInput = {}): ServerConfig {
  const cookieSecret = input.cookieSecret ?? randomBytes(MIN_SECRET_BYTES).toString('base64url');
  if (Buffer.byteLength(cookieSecret) < MIN_SECRET_BYTES) {
    throw new Error(`The cookie secret must be at least ${MIN_SECRET_BYTES} bytes long.`);
  }
  return {
    ...createAccountConfig(input),
    host: input.host ?? '127.0.0.1',
    port: input.port ?? 8787,
    store: input.store ?? { dataDir: null },
    cookieSecret,
    cookieSecure: input.cookieSecure ?? true,
    sessionTtlMs: input.sessionTtlMs ?? 8 * 60 * 60 * 1000,
    oidc: input.oidc ?? null,
    operatorToken: input.operatorToken ?? null,
    defaultOrg: input.defaultOrg ?? { slug: 'default', name: 'Local Cloud' },
    ownerEmail: input.ownerEmail ?? 'owner@localhost',
    sse: {
      heartbeatMs: input.sse?.heartbeatMs ?? 15_000,
      retryMs: input.sse?.retryMs ?? 1_000,
      maxStreamsPerOrg: input.sse?.maxStreamsPerOrg ?? 200,
      maxStreamsPerUser: input.sse?.maxStreamsPerUser ?? 50,
      maxBufferedBytes: input.sse?.maxBufferedBytes ?? 1024 * 1024,
    },
    webDir: input.webDir ?? DEFAULT_WEB_DIR,
    artifactMaxBytes: input.artifactMaxBytes ?? 25 * 1024 * 1024,
    runtime: runtimeConfig(input.runtime),
    logLevel: input.logLevel ?? 'silent',
    role: input.role ?? 'all',
    lease: leaseSettings(input.lease),
    security: createSecurityConfig(input.security),
  };
}

function leaseSettings(input: Partial<LeaseSettings> = {}): LeaseSettings {
  const durationMs = input.durationMs ?? 30_000;
  const renewEveryMs = input.renewEveryMs ?? Math.floor(durationMs / 3);
  if (!(durationMs > 0) || !(renewEveryMs > 0) || renewEveryMs >= durationMs) {
    throw new Error(`A lease must last longer than its renewal interval (got ${durationMs} ms renewed every ${renewEveryMs} ms).`);
  }
  return { durationMs, renewEveryMs };
}

function serverRole(value: string | undefined): ServerRole | undefined {
  if (value === undefined || value === '') return undefined;
  const role = SERVER_ROLES.find((known) => known === value);
  if (!role) throw new Error(`--role must be one of ${SERVER_ROLES.join(', ')}, got "${value}".`);
  return role;
}

function runtimeConfig(input: Partial<RuntimeConfig> = {}): RuntimeConfig {
  const runtime: RuntimeConfig = {
    kind: input.kind ?? 'scripted',
    model: input.model ?? null,
    dataDir: input.dataDir ?? null,
    openaiCompatible: input.openaiCompatible ?? null,
  };
  if (runtime.kind !== 'scripted' && runtime.kind !== 'opencode')
    throw new Error(`--runtime must be scripted or opencode, got "${String(runtime.kind)}".`);
  if (runtime.kind === 'opencode' && !/^[\w.-]+\/\S+$/.test(runtime.model ?? '')) {
    throw new Error(`--runtime opencode needs --model <provider>/<model> (env OPEN_COWORK_CLOUD_MODEL), got "${runtime.model ?? ''}".`);
  }
  if (runtime.kind === 'opencode' && runtime.model?.startsWith('openai-compatible/') && !runtime.openaiCompatible) {
    throw new Error(
      'The openai-compatible provider needs OPEN_COWORK_CLOUD_OPENAI_COMPATIBLE_BASE_URL (for example http://127.0.0.1:11434/v1 for Ollama).',
    );
  }
  return runtime;
}

const isLoopback = (host: string) => host === '127.0.0.1' || host === 'localhost' || host === '::1';

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`${name} must be a non-negative integer, got "${value}".`);
  return parsed;
}

function flag(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new Error(`${name} must be true or false, got "${value}".`);
}

const LOG_LEVELS = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

function logLevel(value: string | undefined): ServerConfig['logLevel'] {
  // One line per request: what a developer running the local cloud wants to see.
  if (value === undefined || value === '') return 'info';
  const level = LOG_LEVELS.find((known) => known === value);
  if (!level) throw new Error(`OPEN_COWORK_CLOUD_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${value}".`);
  return level;
}

/**
 * The cookie secret of an embedded store lives next to its data, so that restarting the local
 * cloud keeps everybody signed in. Elsewhere it must come from the environment: replicas behind
 * one load balancer have to share it.
 */
async function persistentSecret(dataDir: string): Promise<string> {
  const file = join(dataDir, 'cookie-secret');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const secret = randomBytes(MIN_SECRET_BYTES).toString('base64url');
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, secret, { mode: 0o600 });
    return secret;
  }
}

/** The config of the CLI: flags, then `OPEN_COWORK_CLOUD_*` / `DATABASE_URL` environment, then defaults. */
export async function loadConfig(argv: string[], env: NodeJS.ProcessEnv): Promise<ServerConfig> {
  const { values } = parseArgs({ args: argv, options: CLI_OPTIONS, strict: true });
  const host = values.host ?? env.OPEN_COWORK_CLOUD_HOST ?? '127.0.0.1';
  const databaseUrl = values['database-url'] ?? env.DATABASE_URL;
  const dataDir = resolve(values['data-dir'] ?? env.OPEN_COWORK_CLOUD_DATA_DIR ?? DEFAULT_DATA_DIR);
  const store: DbTarget = databaseUrl
    ? { databaseUrl, ...(env.OPEN_COWORK_CLOUD_DATABASE_SCHEMA ? { schema: env.OPEN_COWORK_CLOUD_DATABASE_SCHEMA } : {}) }
    : { dataDir };
  const cookieSecret = env.OPEN_COWORK_CLOUD_COOKIE_SECRET || (databaseUrl ? undefined : await persistentSecret(dataDir));
  const issuer = env.OPEN_COWORK_CLOUD_OIDC_ISSUER;
  return createConfig({
    ...(await loadAccountConfig(env, { capabilitiesFile: values.capabilities, dataDir: databaseUrl ? null : dataDir })),
    host,
    port: positiveInt('--port', values.port ?? env.PORT ?? env.OPEN_COWORK_CLOUD_PORT),
    store,
    cookieSecret,
    cookieSecure: flag('OPEN_COWORK_CLOUD_COOKIE_SECURE', env.OPEN_COWORK_CLOUD_COOKIE_SECURE) ?? !isLoopback(host),
    oidc: issuer
      ? {
          issuer,
          audience: env.OPEN_COWORK_CLOUD_OIDC_AUDIENCE ?? env.OPEN_COWORK_CLOUD_OIDC_CLIENT_ID ?? 'open-cowork',
          jwksUrl: env.OPEN_COWORK_CLOUD_OIDC_JWKS_URL ?? null,
          clientId: env.OPEN_COWORK_CLOUD_OIDC_CLIENT_ID ?? null,
          scope: env.OPEN_COWORK_CLOUD_OIDC_SCOPE ?? 'openid profile email',
        }
      : null,
    operatorToken: env.OPEN_COWORK_CLOUD_OPERATOR_TOKEN || null,
    sse: {
      heartbeatMs: positiveInt('OPEN_COWORK_CLOUD_SSE_HEARTBEAT_MS', env.OPEN_COWORK_CLOUD_SSE_HEARTBEAT_MS),
      maxStreamsPerOrg: positiveInt('OPEN_COWORK_CLOUD_SSE_MAX_STREAMS_PER_ORG', env.OPEN_COWORK_CLOUD_SSE_MAX_STREAMS_PER_ORG),
      maxStreamsPerUser: positiveInt('OPEN_COWORK_CLOUD_SSE_MAX_STREAMS_PER_USER', env.OPEN_COWORK_CLOUD_SSE_MAX_STREAMS_PER_USER),
      maxBufferedBytes: positiveInt('OPEN_COWORK_CLOUD_SSE_MAX_BUFFERED_BYTES', env.OPEN_COWORK_CLOUD_SSE_MAX_BUFFERED_BYTES),
    },
    webDir: env.OPEN_COWORK_CLOUD_WEB_DIR ? resolve(env.OPEN_COWORK_CLOUD_WEB_DIR) : undefined,
    artifactMaxBytes: positiveInt('OPEN_COWORK_CLOUD_ARTIFACT_MAX_BYTES', env.OPEN_COWORK_CLOUD_ARTIFACT_MAX_BYTES),
    runtime: {
      kind: (values.runtime ?? (env.OPEN_COWORK_CLOUD_RUNTIME || 'scripted')) as RuntimeConfig['kind'],
      model: values.model ?? (env.OPEN_COWORK_CLOUD_MODEL || null),
      dataDir: join(dataDir, 'opencode'),
      openaiCompatible: env.OPEN_COWORK_CLOUD_OPENAI_COMPATIBLE_BASE_URL
        ? { baseUrl: env.OPEN_COWORK_CLOUD_OPENAI_COMPATIBLE_BASE_URL, apiKey: env.OPEN_COWORK_CLOUD_OPENAI_COMPATIBLE_API_KEY || null }
        : null,
    },
    logLevel: logLevel(env.OPEN_COWORK_CLOUD_LOG_LEVEL),
    role: serverRole(values.role ?? env.OPEN_COWORK_CLOUD_ROLE),
    lease: {
      durationMs: positiveInt('OPEN_COWORK_CLOUD_LEASE_MS', env.OPEN_COWORK_CLOUD_LEASE_MS),
      renewEveryMs: positiveInt('OPEN_COWORK_CLOUD_LEASE_RENEW_MS', env.OPEN_COWORK_CLOUD_LEASE_RENEW_MS),
    },
    security: securityConfigFromEnv(env),
  });
}
