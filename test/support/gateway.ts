// Starts a real gateway (real HTTP on an ephemeral port) on either storage engine, for tests.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createCertificateAuthority } from '../../src/crypto/index.js';
import { startGateway, type Gateway } from '../../src/main.js';
import { ensureGeneratedSigner } from '../../src/outbound/signer.js';
import { createServerDatabase, type Engine } from './databases.js';

export interface TestKeys {
  /** Named `test.admin` (`admin@test.admin:…`). */
  admin: string;
  lookup: string;
  viewer: string;
  /** Named `ops-night`. */
  operator: string;
  metrics: string;
  /** partner code → token with scope partner-<code> */
  partner: Record<string, string>;
}

export interface TestGateway {
  url: string;
  gateway: Gateway;
  keys: TestKeys;
  /** The temporary folders: data, and certs (per partner: certs/<code-lower>/*.pem). */
  dataDir: string;
  certsDir: string;
  env: Record<string, string>;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  engine: Engine;
  sandbox?: boolean;
  syncOnStart?: boolean;
  /** Extra or overriding environment variables. */
  env?: Record<string, string>;
  /** Reuse folders (restart tests); by default fresh temporary ones. */
  dataDir?: string;
  certsDir?: string;
  databaseUrl?: string;
  /** Where logs go (JSON lines); silent by default. */
  logLines?: string[];
  /** More AEO_API_KEYS entries (e.g. `viewer@night:token`). */
  extraKeys?: string[];
  /** Partner codes besides EU, HK and MO that get a partner-<code> token (partners onboarded while running). */
  extraPartners?: string[];
}

const token = (): string => randomBytes(18).toString('base64url');

let placeholderPem: string | null = null;
/**
 * An enabled partner without trust anchors stops the start (contract 1). A test that brings no CA
 * of its own gets a throw-away one (generated now, its key discarded): it signs nothing.
 */
export function ensureSomeAnchor(dir: string): void {
  mkdirSync(dir, { recursive: true });
  if (readdirSync(dir).some((f) => f.endsWith('.pem'))) return;
  placeholderPem ??= createCertificateAuthority('Test placeholder CA (no key kept)').certPem;
  writeFileSync(path.join(dir, 'placeholder-ca.pem'), placeholderPem);
}

/** Production mode needs our own signing key: one CN CA + signer per test process, generated at run time. */
let testSigner: { keyFile: string; certFile: string; caFile: string } | null = null;
export function testSigningFiles(): { keyFile: string; certFile: string; caFile: string } {
  testSigner ??= ensureGeneratedSigner(mkdtempSync(path.join(os.tmpdir(), 'aeo-signer-')));
  return testSigner;
}

export async function startTestGateway(opts: TestGatewayOptions): Promise<TestGateway> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'aeo-gw-'));
  const dataDir = opts.dataDir ?? path.join(root, 'data');
  const certsDir = opts.certsDir ?? path.join(root, 'certs');
  for (const p of ['eu', 'hk', 'mo']) ensureSomeAnchor(path.join(certsDir, p));
  const keys: TestKeys = {
    admin: token(),
    lookup: token(),
    viewer: token(),
    operator: token(),
    metrics: token(),
    partner: { EU: token(), HK: token(), MO: token() },
  };
  for (const code of opts.extraPartners ?? []) keys.partner[code] = token();
  const databaseUrl = opts.databaseUrl ?? (opts.engine === 'pg' ? await createServerDatabase() : undefined);
  const env: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    AEO_DATA_DIR: dataDir,
    AEO_CERTS_DIR: certsDir,
    AEO_SANDBOX: String(opts.sandbox ?? false),
    AEO_SYNC_ON_START: String(opts.syncOnStart ?? opts.sandbox ?? false),
    AEO_API_KEYS: [
      `admin@test.admin:${keys.admin}`,
      `lookup:${keys.lookup}`,
      `viewer:${keys.viewer}`,
      `operator@ops-night:${keys.operator}`,
      `metrics:${keys.metrics}`,
      ...Object.entries(keys.partner).map(([code, t]) => `partner-${code}:${t}`),
      ...(opts.extraKeys ?? []),
    ].join(','),
    LOG_LEVEL: 'silent',
    ...(opts.sandbox ? {} : { AEO_SIGNING_KEY_FILE: testSigningFiles().keyFile, AEO_SIGNING_CERT_FILE: testSigningFiles().certFile }),
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...opts.env,
  };
  const config = loadConfig(env, process.cwd());
  const logLines = opts.logLines;
  // The gateway's own logger (request ids included), writing into the test's array.
  const logger = logLines ? createLogger('debug', { write: (line: string) => void logLines.push(line) }) : pino({ level: 'silent' });
  const gateway = await startGateway(config, logger);
  return {
    url: gateway.url,
    gateway,
    keys,
    dataDir,
    certsDir,
    env,
    async close() {
      await gateway.close();
      if (!opts.dataDir) rmSync(root, { recursive: true, force: true });
    },
  };
}

/** fetch with a bearer token; returns status and parsed JSON body. */
export async function api(
  url: string,
  tokenValue: string | null,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; raw?: Buffer | string } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { ...init.headers };
  if (tokenValue !== null) headers.authorization = `Bearer ${tokenValue}`;
  let body: string | Buffer | undefined;
  if (init.raw !== undefined) body = init.raw;
  else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(url, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}
