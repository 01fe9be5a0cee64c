import { capabilities as capabilitiesSchemas } from '@open-cowork/shared/schemas';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { type CapabilityCatalog, DEFAULT_CAPABILITIES } from './capability-catalog.js';

const { CapabilityCatalogSchema } = capabilitiesSchemas;

interface ByokConfig {
  /**
   * The AES-256 key provider secrets are encrypted with: 32 bytes, base64 or hex. Null: no key is
   * configured, and storing a secret answers 503 (reads of metadata still work).
   */
  key: string | null;
  /** Where the key came from, for diagnostics (never the key itself). */
  keySource: 'config' | 'env' | 'data-dir' | 'ephemeral' | 'none';
  /** `kmsRef` values must start with one of these; empty: KMS references are refused (501). */
  kmsRefPrefixes: string[];
  /** Providers a secret may be stored for; null: any well-formed provider id. */
  allowedProviderIds: string[] | null;
}

export interface QuotaLimits {
  /** Prompts per org per clock hour; null: unlimited. */
  promptsPerHour: number | null;
  /** Channel deliveries claimed per org per clock hour; null: unlimited. */
  gatewayDeliveriesPerHour: number | null;
}

export interface BillingConfig {
  /** `self-host`: no billing provider, every org is entitled to everything not switched off below. */
  mode: 'self-host' | 'disabled';
  /** The checkout/portal provider; none is built in, so checkout and portal answer 501 without one. */
  providerId: string | null;
  /** Entitlements of every org (`feature → enabled`); a feature not listed is entitled. */
  entitlements: Record<string, boolean>;
  /** Per-org overrides, keyed by org slug or org id. */
  orgEntitlements: Record<string, Record<string, boolean>>;
  quotas: QuotaLimits;
}

export interface AdminConfig {
  signupMode: 'disabled' | 'invite' | 'domain' | 'open';
  allowedEmailDomains: string[];
}

/** The account part of `ServerConfig`: capabilities, BYOK, billing/usage and admin policy. */
export interface AccountConfig {
  capabilities: CapabilityCatalog;
  byok: ByokConfig;
  billing: BillingConfig;
  admin: AdminConfig;
}

export interface AccountConfigInput {
  capabilities?: CapabilityCatalog;
  byok?: Partial<ByokConfig>;
  billing?: Partial<Omit<BillingConfig, 'quotas'>> & { quotas?: Partial<QuotaLimits> };
  admin?: Partial<AdminConfig>;
}

const BYOK_KEY_BYTES = 32;

/** The 32 key bytes of a base64/base64url/hex string, or an error that says what is wrong. */
export function parseByokKey(value: string): Buffer {
  const trimmed = value.trim();
  const bytes = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (bytes.length !== BYOK_KEY_BYTES) {
    throw new Error(`The BYOK key must be ${BYOK_KEY_BYTES} bytes, as 64 hex characters or base64 (got ${bytes.length} bytes).`);
  }
  return bytes;
}

/** A complete account config from explicit values and defaults (a fresh, in-memory BYOK key). */
export function createAccountConfig(input: AccountConfigInput = {}): AccountConfig {
  const key = input.byok?.key === undefined ? randomBytes(BYOK_KEY_BYTES).toString('base64') : input.byok.key;
  if (key !== null) parseByokKey(key);
  const capabilities = input.capabilities ?? DEFAULT_CAPABILITIES;
  if (!Value.Check(CapabilityCatalogSchema, capabilities)) {
    const first = [...Value.Errors(CapabilityCatalogSchema, capabilities)][0];
    throw new Error(`The capability catalog is not valid: ${first?.path ?? ''} ${first?.message ?? ''}`.trim());
  }
  return {
    capabilities,
    byok: {
      key,
      keySource: input.byok?.keySource ?? (input.byok?.key === undefined ? 'ephemeral' : key === null ? 'none' : 'config'),
      kmsRefPrefixes: input.byok?.kmsRefPrefixes ?? [],
      allowedProviderIds: input.byok?.allowedProviderIds ?? null,
    },
    billing: {
      mode: input.billing?.mode ?? 'self-host',
      providerId: input.billing?.providerId ?? null,
      entitlements: input.billing?.entitlements ?? {},
      orgEntitlements: input.billing?.orgEntitlements ?? {},
      quotas: {
        promptsPerHour: input.billing?.quotas?.promptsPerHour ?? null,
        gatewayDeliveriesPerHour: input.billing?.quotas?.gatewayDeliveriesPerHour ?? null,
      },
    },
    admin: {
      signupMode: input.admin?.signupMode ?? 'invite',
      allowedEmailDomains: input.admin?.allowedEmailDomains ?? [],
    },
  };
}

function limit(name: string, value: string | undefined): number | null | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`${name} must be a non-negative integer, got "${value}".`);
  return parsed;
}

/**
 * The key of an embedded store lives next to its data (like the cookie secret), so that a restart
 * can still decrypt the secrets; it is generated on first start and never leaves the data dir.
 */
async function persistentByokKey(dataDir: string): Promise<string> {
  const file = join(dataDir, 'byok-key');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const key = randomBytes(BYOK_KEY_BYTES).toString('base64');
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, key, { mode: 0o600 });
    return key;
  }
}

/**
 * The account config of the CLI: `--capabilities <file>` / `OPEN_COWORK_CLOUD_CAPABILITIES_FILE`
 * (a JSON `{tools, skills}`), `OPEN_COWORK_BYOK_KEY` (else a key persisted in the data dir; none
 * with DATABASE_URL), `OPEN_COWORK_CLOUD_KMS_REF_PREFIXES` (comma-separated) and the hourly quotas
 * `OPEN_COWORK_CLOUD_QUOTA_PROMPTS_PER_HOUR` / `OPEN_COWORK_CLOUD_QUOTA_GATEWAY_DELIVERIES_PER_HOUR`, and the
 * signup policy of new OIDC identities `OPEN_COWORK_CLOUD_SIGNUP_MODE` (`invite` by default) with
 * `OPEN_COWORK_CLOUD_SIGNUP_EMAIL_DOMAINS` (comma-separated, for `domain`).
 */
export async function loadAccountConfig(
  env: NodeJS.ProcessEnv,
  options: { capabilitiesFile?: string | undefined; dataDir: string | null },
): Promise<AccountConfigInput> {
  const file = options.capabilitiesFile ?? env.OPEN_COWORK_CLOUD_CAPABILITIES_FILE;
  let capabilities: CapabilityCatalog | undefined;
  if (file) {
    const path = resolve(file);
    try {
      capabilities = JSON.parse(await readFile(path, 'utf8')) as CapabilityCatalog;
    } catch (error) {
      throw new Error(`Could not read the capability catalog ${path}: ${(error as Error).message}`);
    }
  }
  const envKey = env.OPEN_COWORK_BYOK_KEY || env.OPEN_COWORK_CLOUD_BYOK_KEY;
  const byok: Partial<ByokConfig> = envKey
    ? { key: envKey, keySource: 'env' }
    : options.dataDir
      ? { key: await persistentByokKey(options.dataDir), keySource: 'data-dir' }
      : { key: null, keySource: 'none' };
  const prefixes = env.OPEN_COWORK_CLOUD_KMS_REF_PREFIXES;
  if (prefixes)
    byok.kmsRefPrefixes = prefixes
      .split(',')
      .map((prefix) => prefix.trim())
      .filter(Boolean);
  const quotas: Partial<QuotaLimits> = {};
  const prompts = limit('OPEN_COWORK_CLOUD_QUOTA_PROMPTS_PER_HOUR', env.OPEN_COWORK_CLOUD_QUOTA_PROMPTS_PER_HOUR);
  const deliveries = limit('OPEN_COWORK_CLOUD_QUOTA_GATEWAY_DELIVERIES_PER_HOUR', env.OPEN_COWORK_CLOUD_QUOTA_GATEWAY_DELIVERIES_PER_HOUR);
  if (prompts !== undefined) quotas.promptsPerHour = prompts;
  if (deliveries !== undefined) quotas.gatewayDeliveriesPerHour = deliveries;
  const signupMode = env.OPEN_COWORK_CLOUD_SIGNUP_MODE;
  if (signupMode && !SIGNUP_MODES.includes(signupMode as AdminConfig['signupMode'])) {
    throw new Error(`OPEN_COWORK_CLOUD_SIGNUP_MODE must be one of ${SIGNUP_MODES.join(', ')}, got "${signupMode}".`);
  }
  const domains = env.OPEN_COWORK_CLOUD_SIGNUP_EMAIL_DOMAINS;
  const admin: Partial<AdminConfig> = {
    ...(signupMode ? { signupMode: signupMode as AdminConfig['signupMode'] } : {}),
    ...(domains
      ? {
          allowedEmailDomains: domains
            .split(',')
            .map((domain) => domain.trim())
            .filter(Boolean),
        }
      : {}),
  };
  return { ...(capabilities ? { capabilities } : {}), byok, billing: { quotas }, admin };
}

const SIGNUP_MODES: readonly AdminConfig['signupMode'][] = ['disabled', 'invite', 'domain', 'open'];
