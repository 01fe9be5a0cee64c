/** Sessions, sign-in, rate limits, timeouts and CORS: the settings `docs/security.md` describes. */
export interface SecurityConfig {
  /** A cookie session ends after this long without a request (its absolute expiry is `sessionTtlMs`). */
  sessionIdleMs: number;
  /**
   * Whether an OIDC identity seen for the first time may take over the existing account with the same
   * email. Only ever when the provider says `email_verified: true`.
   */
  linkVerifiedEmail: boolean;
  /** Origins allowed to call the API from another site; empty: same origin only (CORS off). */
  corsOrigins: string[];
  /** Requests per minute, per client address on the sign-in endpoints and per caller on the rest of `/api` and `/auth`; 0 turns a limit off. */
  rateLimit: { authPerMinute: number; apiPerMinute: number };
  /** Failed sign-ins from one address beyond `freeFailures` wait twice as long each time, up to `maxDelayMs`. */
  signInBackoff: { freeFailures: number; baseDelayMs: number; maxDelayMs: number };
  /** Socket limits: the request headers, the whole request (body included), an idle keep-alive connection. */
  timeouts: { headersMs: number; requestMs: number; keepAliveMs: number };
  /** The confidential client secret of the Cloud Web OIDC sign-in; null for a public client (PKCE only). */
  oidcClientSecret: string | null;
  /** The external URL of this server, for the OIDC redirect; default: the request's own origin. */
  publicUrl: string | null;
}

export type SecurityConfigInput = Partial<Omit<SecurityConfig, 'rateLimit' | 'signInBackoff' | 'timeouts'>> & {
  rateLimit?: Partial<SecurityConfig['rateLimit']>;
  signInBackoff?: Partial<SecurityConfig['signInBackoff']>;
  timeouts?: Partial<SecurityConfig['timeouts']>;
};

export function createSecurityConfig(input: SecurityConfigInput = {}): SecurityConfig {
  return {
    sessionIdleMs: input.sessionIdleMs ?? 2 * 60 * 60 * 1000,
    linkVerifiedEmail: input.linkVerifiedEmail ?? true,
    corsOrigins: input.corsOrigins ?? [],
    rateLimit: { authPerMinute: input.rateLimit?.authPerMinute ?? 60, apiPerMinute: input.rateLimit?.apiPerMinute ?? 1200 },
    signInBackoff: {
      freeFailures: input.signInBackoff?.freeFailures ?? 5,
      baseDelayMs: input.signInBackoff?.baseDelayMs ?? 1_000,
      maxDelayMs: input.signInBackoff?.maxDelayMs ?? 60_000,
    },
    timeouts: {
      headersMs: input.timeouts?.headersMs ?? 10_000,
      requestMs: input.timeouts?.requestMs ?? 60_000,
      keepAliveMs: input.timeouts?.keepAliveMs ?? 5_000,
    },
    oidcClientSecret: input.oidcClientSecret ?? null,
    publicUrl: input.publicUrl ?? null,
  };
}

function count(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`${name} must be a non-negative integer, got "${value}".`);
  return parsed;
}

const list = (value: string | undefined) =>
  value
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
    : undefined;

/** The `OPEN_COWORK_CLOUD_*` security settings of the environment (unset ones keep their defaults). */
export function securityConfigFromEnv(env: NodeJS.ProcessEnv): SecurityConfigInput {
  const link = env.OPEN_COWORK_CLOUD_OIDC_LINK_VERIFIED_EMAIL;
  if (link !== undefined && link !== '' && link !== 'true' && link !== 'false') {
    throw new Error(`OPEN_COWORK_CLOUD_OIDC_LINK_VERIFIED_EMAIL must be true or false, got "${link}".`);
  }
  const idle = count('OPEN_COWORK_CLOUD_SESSION_IDLE_MS', env.OPEN_COWORK_CLOUD_SESSION_IDLE_MS);
  const cors = list(env.OPEN_COWORK_CLOUD_CORS_ORIGINS);
  const authPerMinute = count('OPEN_COWORK_CLOUD_RATE_LIMIT_AUTH_PER_MINUTE', env.OPEN_COWORK_CLOUD_RATE_LIMIT_AUTH_PER_MINUTE);
  const apiPerMinute = count('OPEN_COWORK_CLOUD_RATE_LIMIT_API_PER_MINUTE', env.OPEN_COWORK_CLOUD_RATE_LIMIT_API_PER_MINUTE);
  const headersMs = count('OPEN_COWORK_CLOUD_HEADERS_TIMEOUT_MS', env.OPEN_COWORK_CLOUD_HEADERS_TIMEOUT_MS);
  const requestMs = count('OPEN_COWORK_CLOUD_REQUEST_TIMEOUT_MS', env.OPEN_COWORK_CLOUD_REQUEST_TIMEOUT_MS);
  const keepAliveMs = count('OPEN_COWORK_CLOUD_KEEP_ALIVE_TIMEOUT_MS', env.OPEN_COWORK_CLOUD_KEEP_ALIVE_TIMEOUT_MS);
  const defined = <T extends object>(value: T) =>
    Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as Partial<T>;
  return defined({
    sessionIdleMs: idle,
    linkVerifiedEmail: link ? link === 'true' : undefined,
    corsOrigins: cors,
    rateLimit: defined({ authPerMinute, apiPerMinute }),
    timeouts: defined({ headersMs, requestMs, keepAliveMs }),
    oidcClientSecret: env.OPEN_COWORK_CLOUD_OIDC_CLIENT_SECRET || undefined,
    publicUrl: env.OPEN_COWORK_CLOUD_PUBLIC_URL || undefined,
  });
}
