// Environment → one typed, frozen configuration object. Every bad setting is reported at once.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isValidTimeZone } from './domain/dates.js';
import { DEFAULT_RETRY, parseRetryPolicy, type RetryPolicy } from './outbound/retry.js';

export type Scope = 'admin' | 'lookup' | `partner-${string}`;

export interface ApiKey {
  scope: Scope;
  token: string;
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
  /** Push retries of outbound batches (contract 9.4): base, cap, give-up. */
  outboundRetry: RetryPolicy;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n- ${problems.join('\n- ')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const SCOPE_PATTERN = /^(admin|lookup|partner-[A-Z]{2})$/;
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

export function parseApiKeys(raw: string, problems: string[]): ApiKey[] {
  const keys: ApiKey[] = [];
  raw.split(',').map((s) => s.trim()).filter((s) => s !== '').forEach((pair, index) => {
    const colon = pair.indexOf(':');
    const scope = colon > 0 ? pair.slice(0, colon) : '';
    const token = colon > 0 ? pair.slice(colon + 1) : '';
    // Never echo the token itself into the message.
    if (!SCOPE_PATTERN.test(scope)) {
      problems.push(`AEO_API_KEYS entry ${index + 1}: scope must be admin, lookup or partner-<CODE>`);
    } else if (!TOKEN_PATTERN.test(token)) {
      problems.push(`AEO_API_KEYS entry ${index + 1} (${scope}): token must be 16–512 printable characters without spaces`);
    } else {
      keys.push({ scope: scope as Scope, token });
    }
  });
  if (new Set(keys.map((k) => k.token)).size !== keys.length) problems.push('AEO_API_KEYS: a token is used twice');
  return keys;
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
    problems.push('AEO_API_KEYS is required outside sandbox mode (comma-separated scope:token pairs)');
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

  const outboundRetry = env.AEO_OUTBOUND_RETRY === undefined || env.AEO_OUTBOUND_RETRY === '' ? DEFAULT_RETRY : parseRetryPolicy(env.AEO_OUTBOUND_RETRY);
  if (outboundRetry === null) problems.push('AEO_OUTBOUND_RETRY must be base,cap,give-up durations such as 1m,60m,24h (units ms, s, m, h)');

  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    port,
    host: env.HOST ?? '0.0.0.0',
    databaseUrl,
    dataDir: resolve(env.AEO_DATA_DIR ?? './data'),
    sandbox,
    apiKeys: Object.freeze(apiKeys),
    timeZone,
    partnersDir: resolve(env.AEO_PARTNERS_DIR ?? './partners'),
    schemasDir: resolve(env.AEO_SCHEMAS_DIR ?? './schemas'),
    certsDir: resolve(env.AEO_CERTS_DIR ?? './certs'),
    signingKeyFile: signingKeyFile === null ? null : resolve(signingKeyFile),
    signingCertFile: signingCertFile === null ? null : resolve(signingCertFile),
    logLevel,
    syncOnStart,
    outboundRetry: outboundRetry!,
  });
}
