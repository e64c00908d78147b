// Environment → one typed, frozen configuration object. Every bad setting is reported at once.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isValidTimeZone } from './domain/dates.js';
import { DEFAULT_RATE_LIMITS, parseRateLimits, type RateLimit } from './http/rate-limit.js';
import { parseDomesticPull, type DomesticPullConfig } from './domestic/pull-config.js';
import { DEFAULT_RETRY, parseRetryPolicy, type RetryPolicy } from './outbound/retry.js';

export type Scope = 'admin' | 'lookup' | 'viewer' | 'operator' | 'metrics' | `partner-${string}`;

export interface ApiKey {
  scope: Scope;
  token: string;
  /** Who acts with this token (`scope@name:token`); null → derived from the scope and token hash. */
  name: string | null;
}

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | null;
  dataDir: string;
  sandbox: boolean;
  apiKeys: readonly ApiKey[]; // empty only in sandbox mode, where keys are generated at start
  timeZone: string;
  partnersDir: string;
  schemasDir: string;
  certsDir: string;
  signingKeyFile: string | null;
  signingCertFile: string | null;
  logLevel: string;
  syncOnStart: boolean;
  /** Raw messages older than this are deleted by the daily retention job (fractions allowed). */
  messageRetentionDays: number;
  /** Tests only (AEO_TEST_HOLD_PUBLISH): a file written when a publish transaction has written its events, which then waits for ever. */
  holdPublishFile: string | null;
  /** Per-token limits by scope family (AEO_RATE_LIMITS); families not named are unlimited. */
  rateLimits: readonly RateLimit[];
  /** Fetch CRLs from signer certificates' distribution points (AEO_CRL_FETCH). */
  crlFetch: boolean;
  /** Longest time to receive one request, body included (AEO_REQUEST_TIMEOUT_SECONDS). */
  requestTimeoutMs: number;
  /** Push retries of outbound batches (contract 9.4): base, cap, give-up. */
  outboundRetry: RetryPolicy;
  /** Pull of China's register (AEO_DOMESTIC_URL, AEO_DOMESTIC_SCHEDULE), or null. */
  domesticPull: DomesticPullConfig | null;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n- ${problems.join('\n- ')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const SCOPE_PATTERN = /^(admin|lookup|viewer|operator|metrics|partner-[A-Z]{2})$/;
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const TOKEN_PATTERN = /^[\x21-\x7e]{16,512}$/;

type Env = Readonly<Record<string, string | undefined>>;

/** Reads `NAME`, or the contents of the file named by `NAME_FILE` (for secrets). */
function readSecret(env: Env, name: string, problems: string[]): string | undefined {
  const file = env[`${name}_FILE`];
  if (file === undefined || file === '') return env[name] === '' ? undefined : env[name];
  if (env[name] !== undefined && env[name] !== '') {
    problems.push(`${name} and ${name}_FILE are both set; set only one`);
    return undefined;
  }
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    problems.push(`${name}_FILE: cannot read the file ${file}`);
    return undefined;
  }
}

function parseBoolean(name: string, raw: string | undefined, fallback: boolean, problems: string[]): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  problems.push(`${name} must be true or false (got "${raw}")`);
  return fallback;
}

/**
 * `scope:token` or `scope@name:token` entries. One token may be listed with several scopes (its
 * entries then give the same name, or no name).
 */
export function parseApiKeys(raw: string, problems: string[]): ApiKey[] {
  const keys: ApiKey[] = [];
  raw.split(',').map((s) => s.trim()).filter((s) => s !== '').forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const left = colon > 0 ? entry.slice(0, colon) : '';
    const token = colon > 0 ? entry.slice(colon + 1) : '';
    const at = left.indexOf('@');
    const scope = at >= 0 ? left.slice(0, at) : left;
    const name = at >= 0 ? left.slice(at + 1) : null;
    // Never echo the token itself into the message.
    if (!SCOPE_PATTERN.test(scope)) {
      problems.push(`AEO_API_KEYS entry ${index + 1}: scope must be admin, lookup, viewer, operator, metrics or partner-<CODE>`);
    } else if (name !== null && !NAME_PATTERN.test(name)) {
      problems.push(`AEO_API_KEYS entry ${index + 1} (${scope}): the name after @ must be 1–64 letters, digits, '.', '_' or '-'`);
    } else if (!TOKEN_PATTERN.test(token)) {
      problems.push(`AEO_API_KEYS entry ${index + 1} (${scope}): token must be 16–512 printable characters without spaces`);
    } else {
      keys.push({ scope: scope as Scope, token, name });
    }
  });
  problems.push(...sharedTokenProblems(keys));
  return keys;
}

/** A token listed twice must add a scope, and its entries must not give two different names. */
function sharedTokenProblems(keys: readonly ApiKey[]): string[] {
  const problems: string[] = [];
  const byToken = new Map<string, ApiKey[]>();
  for (const k of keys) byToken.set(k.token, [...(byToken.get(k.token) ?? []), k]);
  for (const entries of byToken.values()) {
    if (entries.length === 1) continue;
    const label = entries[0]!.scope;
    if (new Set(entries.map((k) => k.scope)).size !== entries.length) problems.push(`AEO_API_KEYS: a token is used twice with the scope ${label}`);
    if (new Set(entries.map((k) => k.name).filter((n) => n !== null)).size > 1) problems.push(`AEO_API_KEYS: a token shared by several scopes (${label}, …) has two different names`);
  }
  return problems;
}

function parseRetentionDays(raw: string | undefined, problems: string[]): number {
  if (raw === undefined || raw === '') return 400;
  const days = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !(days > 0) || days > 36_500) {
    problems.push(`AEO_MESSAGE_RETENTION_DAYS must be a number of days above 0 (got "${raw}")`);
    return 400;
  }
  return days;
}

/** The directories and mode as `loadConfig` resolves them, readable even when other settings are bad. */
export function directorySettings(env: Env, cwd: string): Pick<Config, 'partnersDir' | 'schemasDir' | 'certsDir' | 'sandbox'> {
  return {
    partnersDir: path.resolve(cwd, env.AEO_PARTNERS_DIR ?? './partners'),
    schemasDir: path.resolve(cwd, env.AEO_SCHEMAS_DIR ?? './schemas'),
    certsDir: path.resolve(cwd, env.AEO_CERTS_DIR ?? './certs'),
    sandbox: env.AEO_SANDBOX === 'true' || env.AEO_SANDBOX === '1',
  };
}

/** Builds the configuration from an environment; throws ConfigError naming every bad setting. */
export function loadConfig(env: Env = process.env, cwd = process.cwd(), opts: { requireApiKeys?: boolean } = {}): Readonly<Config> {
  const problems: string[] = [];
  const resolve = (p: string): string => path.resolve(cwd, p);

  const portRaw = env.PORT ?? '8080';
  const port = Number(portRaw);
  if (!/^\d+$/.test(portRaw) || port > 65535) problems.push(`PORT must be a port number 0–65535 (got "${portRaw}")`);

  const databaseUrl = readSecret(env, 'DATABASE_URL', problems) ?? null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must start with postgres:// or postgresql://');
  }

  const sandbox = parseBoolean('AEO_SANDBOX', env.AEO_SANDBOX, false, problems);
  const keysRaw = readSecret(env, 'AEO_API_KEYS', problems);
  const apiKeys = keysRaw === undefined ? [] : parseApiKeys(keysRaw, problems);
  if (!sandbox && apiKeys.length === 0 && opts.requireApiKeys !== false) {
    problems.push('AEO_API_KEYS is required outside sandbox mode (comma-separated scope:token or scope@name:token entries)');
  }

  const timeZone = env.AEO_TIMEZONE ?? 'Asia/Shanghai';
  if (!isValidTimeZone(timeZone)) problems.push(`AEO_TIMEZONE is not an IANA time zone (got "${timeZone}")`);

  const logLevel = env.LOG_LEVEL ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  const signingKeyFile = env.AEO_SIGNING_KEY_FILE ?? null;
  const signingCertFile = env.AEO_SIGNING_CERT_FILE ?? null;
  if ((signingKeyFile === null) !== (signingCertFile === null)) {
    problems.push('AEO_SIGNING_KEY_FILE and AEO_SIGNING_CERT_FILE must be set together');
  }

  const syncOnStart = parseBoolean('AEO_SYNC_ON_START', env.AEO_SYNC_ON_START, sandbox, problems);
  const messageRetentionDays = parseRetentionDays(env.AEO_MESSAGE_RETENTION_DAYS, problems);

  const rateLimits = parseRateLimits(env.AEO_RATE_LIMITS ?? DEFAULT_RATE_LIMITS, problems);
  const crlFetch = parseBoolean('AEO_CRL_FETCH', env.AEO_CRL_FETCH, false, problems);
  const timeoutRaw = env.AEO_REQUEST_TIMEOUT_SECONDS ?? '120';
  const requestTimeoutSeconds = Number(timeoutRaw);
  if (!/^\d{1,5}$/.test(timeoutRaw) || requestTimeoutSeconds < 1) {
    problems.push(`AEO_REQUEST_TIMEOUT_SECONDS must be a whole number of seconds ≥ 1 (got "${timeoutRaw.slice(0, 20)}")`);
  }

  const outboundRetry = env.AEO_OUTBOUND_RETRY === undefined || env.AEO_OUTBOUND_RETRY === '' ? DEFAULT_RETRY : parseRetryPolicy(env.AEO_OUTBOUND_RETRY);
  if (outboundRetry === null) problems.push('AEO_OUTBOUND_RETRY must be base,cap,give-up durations such as 1m,60m,24h (units ms, s, m, h)');
  const domesticPull = parseDomesticPull(env, problems);

  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    port,
    host: env.HOST ?? '0.0.0.0',
    databaseUrl,
    dataDir: resolve(env.AEO_DATA_DIR ?? './data'),
    apiKeys: Object.freeze(apiKeys),
    timeZone,
    ...directorySettings(env, cwd),
    sandbox,
    signingKeyFile: signingKeyFile === null ? null : resolve(signingKeyFile),
    signingCertFile: signingCertFile === null ? null : resolve(signingCertFile),
    logLevel,
    syncOnStart,
    messageRetentionDays,
    holdPublishFile: env.AEO_TEST_HOLD_PUBLISH ? resolve(env.AEO_TEST_HOLD_PUBLISH) : null,
    rateLimits: Object.freeze(rateLimits),
    crlFetch,
    requestTimeoutMs: requestTimeoutSeconds * 1000,
    outboundRetry: outboundRetry!,
    domesticPull,
  });
}
