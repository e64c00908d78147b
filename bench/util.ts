// Shared helpers of the benchmarks: child processes, temp folders, a gateway to measure, the code
// mix, signed lists, statistics and Markdown. Benchmarks, not tests: every figure is printed next to
// a baseline measured in the same run.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import { loadConfig } from '../src/config.js';
import { createCertificateAuthority, issueSigningCertificate, signDetachedCms, type PemPair } from '../src/crypto/index.js';
import { startGateway, type Gateway } from '../src/main.js';
import { ensureGeneratedSigner } from '../src/outbound/signer.js';
import { sandboxPopulation } from '../src/sandbox/population.js';
import { createRandom, hashSeed } from '../src/sandbox/random.js';
import { formatGeneratedAt, renderList } from '../src/sandbox/render.js';
import type { LoadRequest, LoadResult } from './load-child.js';

/** The repository root (dist/bench/util.js → ../..), for partners/ and schemas/. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A path next to this (compiled) file: the child-process entry points. */
export const benchFile = (name: string): string => fileURLToPath(new URL(name, import.meta.url));

// ---------------------------------------------------------------------------------------------
// Report

export interface SummaryRow {
  benchmark: string;
  metric: string;
  value: string;
  baseline: string;
  target: string;
  /** null: no target for this figure. */
  met: boolean | null;
}

export interface Section {
  title: string;
  markdown: string;
  summary: SummaryRow[];
}

export function mdTable(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]): string => `| ${cells.map(String).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A number with a fixed count of significant decimals and thousands separators. */
export function fmt(n: number, decimals = 0): string {
  if (!Number.isFinite(n)) return String(n);
  return n.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

export const ms = (n: number): string => (n >= 100 ? `${fmt(n)} ms` : n >= 10 ? `${fmt(n, 1)} ms` : `${fmt(n, 2)} ms`);
export const seconds = (millis: number): string => `${fmt(millis / 1000, 1)} s`;
export const ratio = (n: number): string => `${fmt(n, 2)}×`;
/** Bytes in MB (10^6), the unit of the targets. */
export const mb = (bytes: number, decimals = 0): string => `${fmt(bytes / 1e6, decimals)} MB`;

export function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

export const sleep = (millis: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, millis));

// ---------------------------------------------------------------------------------------------
// Statistics

/** The p-th percentile (0–100) of ascending values, nearest rank. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarise(latencies: Float64Array): LatencySummary {
  const sorted = Float64Array.from(latencies).sort();
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN };
}

/**
 * Coordinated-omission correction (HdrHistogram's recordValueWithExpectedInterval): a connection
 * that should send a request every `intervalMs` but waits L ms for an answer could not send the
 * requests due meanwhile; they are counted with the latency they would have seen (L − interval, …).
 */
export function correctForOmission(latencies: readonly number[], intervalMs: number): Float64Array {
  const out: number[] = [];
  for (const latency of latencies) {
    out.push(latency);
    for (let missed = latency - intervalMs; missed >= intervalMs; missed -= intervalMs) out.push(missed);
  }
  return Float64Array.from(out);
}

// ---------------------------------------------------------------------------------------------
// Temporary folders (removed at the end of the run)

const tempDirs: string[] = [];

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `aeo-bench-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Child processes: the load generator and the import runs live in their own process, so that on
// 2 cores the measured server keeps one core and a fresh heap gives a true peak RSS.

export type ToChild<Req> = { type: 'run'; request: Req } | { type: 'stop' };
export type FromChild<Res> = { type: 'started' } | { type: 'result'; result: Res } | { type: 'error'; message: string };

export interface ChildRun<Res> {
  /** Resolves once the child says its measurement started. */
  started: Promise<void>;
  result: Promise<Res>;
  /** Asks the child to end its measurement early (it still answers with a result). */
  stop(): void;
}

export function runChild<Req, Res>(entry: string, request: Req, opts: { execArgv?: string[] } = {}): ChildRun<Res> {
  const child = fork(benchFile(entry), [], {
    serialization: 'advanced',
    execArgv: opts.execArgv ?? [],
    // stdout carries the report: the child's output goes to stderr.
    stdio: ['ignore', 2, 2, 'ipc'],
  });
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const result = new Promise<Res>((resolve, reject) => {
    let settled = false;
    // A child that lingers after answering (an open handle) must not keep the whole run alive.
    const reap = (): void => {
      setTimeout(() => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        log(`${entry} (pid ${child.pid ?? '?'}) did not exit after its result; killing it`);
        child.kill();
      }, 10_000).unref();
    };
    child.on('message', (raw: unknown) => {
      const message = raw as FromChild<Res>;
      if (message.type === 'started') markStarted();
      else if (message.type === 'result') {
        settled = true;
        reap();
        resolve(message.result);
      } else {
        settled = true;
        reap();
        reject(new Error(`${entry}: ${message.message}`));
      }
    });
    child.on('exit', (code) => {
      markStarted();
      if (!settled) reject(new Error(`${entry} exited with code ${code ?? 'null'} without a result`));
    });
    child.on('error', reject);
  });
  child.send({ type: 'run', request } satisfies ToChild<Req>);
  return { started, result, stop: () => void child.send({ type: 'stop' } satisfies ToChild<Req>, () => undefined) };
}

/** The child side: runs `work` for the parent's request and sends back its result (or error). */
export function serveChild<Req, Res>(work: (request: Req, events: { started(): void; stopped: Promise<void> }) => Promise<Res>): void {
  const send = (message: FromChild<Res>): Promise<void> =>
    new Promise((resolve) => {
      process.send?.(message, undefined, undefined, () => resolve());
    });
  let markStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (markStopped = resolve));
  process.on('message', (raw: unknown) => {
    const message = raw as ToChild<Req>;
    if (message.type === 'stop') {
      markStopped();
      return;
    }
    work(message.request, { started: () => void send({ type: 'started' }), stopped })
      .then((result) => send({ type: 'result', result }))
      .catch((err: unknown) => send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }))
      .finally(() => process.disconnect());
  });
}

// ---------------------------------------------------------------------------------------------
// HTTP load (autocannon in a child process) and servers to compare with

export interface Measured {
  name: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  /**
   * CPU time of this process (user + system, µs) per request answered, over the rounds (warm-up
   * included: meaningful with warmupSeconds 0). Other processes on the machine barely change it.
   */
  cpuMicrosPerRequest: number;
}

export type Target = Omit<LoadRequest, 'warmupSeconds' | 'durationSeconds'>;

/**
 * Measures several servers in interleaved rounds (A B C A B C …), so that a noisy neighbour hurts
 * them alike; req/s over the summed measured time, latency percentiles over every response.
 */
export async function measureInterleaved(
  targets: readonly { name: string; target: Target }[],
  opts: { rounds: number; warmupSeconds: number; secondsPerRound: number },
): Promise<Measured[]> {
  const runs = targets.map(() => ({ requests: 0, seconds: 0, non2xx: 0, errors: 0, cpuMicros: 0, latencies: [] as Float64Array[] }));
  for (let round = 0; round < opts.rounds; round++) {
    for (const [i, { name, target }] of targets.entries()) {
      log(`${name}: round ${round + 1}/${opts.rounds}, ${target.connections} connections, ${opts.secondsPerRound} s`);
      const request: LoadRequest = { ...target, warmupSeconds: opts.warmupSeconds, durationSeconds: opts.secondsPerRound };
      const cpuBefore = process.cpuUsage();
      const result = await runChild<LoadRequest, LoadResult>('load-child.js', request).result;
      const cpu = process.cpuUsage(cpuBefore);
      const run = runs[i]!;
      run.cpuMicros += cpu.user + cpu.system;
      run.requests += result.requests;
      run.seconds += result.seconds;
      run.non2xx += result.non2xx;
      run.errors += result.errors;
      run.latencies.push(result.latencies);
    }
  }
  return runs.map((run, i) => {
    const all = new Float64Array(run.latencies.reduce((n, l) => n + l.length, 0));
    let at = 0;
    for (const l of run.latencies) {
      all.set(l, at);
      at += l.length;
    }
    const latency = summarise(all);
    return {
      name: targets[i]!.name,
      reqPerSec: run.requests / run.seconds,
      p50: latency.p50,
      p99: latency.p99,
      max: latency.max,
      non2xx: run.non2xx,
      errors: run.errors,
      cpuMicrosPerRequest: run.cpuMicros / run.requests,
    };
  });
}

/** Listens on 127.0.0.1 and an ephemeral port. */
export async function listen(server: http.Server): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * How long this process's event loop was unavailable: a 10 ms timer, and how late each tick came.
 * Unlike request latencies, it also sees the stalls no request was waiting on.
 */
export function stallMonitor(): { stop(): Promise<{ p99: number; max: number; blockedShare: number }> } {
  const TICK = 10;
  const lateness: number[] = [];
  const started = performance.now();
  let last = started;
  const timer = setInterval(() => {
    const now = performance.now();
    lateness.push(Math.max(0, now - last - TICK));
    last = now;
  }, TICK);
  return {
    async stop() {
      await sleep(3 * TICK); // the tick that was held up by the last stall
      clearInterval(timer);
      const total = performance.now() - started;
      const sorted = Float64Array.from(lateness).sort();
      const blocked = lateness.filter((l) => l >= 50).reduce((a, b) => a + b, 0);
      return { p99: percentile(sorted, 99), max: sorted.at(-1) ?? 0, blockedShare: blocked / total };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Gateways and lists

/** JSON-lines logs like src/logger.ts, but into a file or stderr: stdout carries the report. */
export function benchLogger(level: string, file?: string): Logger {
  return pino(
    { level, base: { service: 'aeo-gateway' }, redact: { paths: ['token', '*.token', 'authorization', '*.authorization', 'apiKeys'], censor: '[redacted]' } },
    pino.destination(file === undefined ? { fd: 2, sync: false } : { dest: file, sync: false }),
  );
}

export interface BenchGateway {
  gateway: Gateway;
  url: string;
  lookupToken: string;
  partnerToken: string;
  logFile: string;
  close(): Promise<void>;
}

export const BENCH_LOG_LEVEL = 'info';

/** Production mode signs outbound lists with our own key: generated at run time next to the data. */
function signingEnv(dataDir: string): Record<string, string> {
  const files = ensureGeneratedSigner(path.join(dataDir, 'bench-signer'));
  return { AEO_SIGNING_KEY_FILE: files.keyFile, AEO_SIGNING_CERT_FILE: files.certFile };
}

/** A real gateway on 127.0.0.1 and an ephemeral port, configured through loadConfig like production. */
export async function startBenchGateway(opts: { sandbox: boolean; dataDir: string; certsDir?: string; databaseUrl?: string; metrics?: boolean }): Promise<BenchGateway> {
  const lookupToken = randomBytes(18).toString('base64url');
  const partnerToken = randomBytes(18).toString('base64url');
  const logFile = path.join(tempDir('log'), 'gateway.log');
  const env: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    AEO_SANDBOX: String(opts.sandbox),
    AEO_SYNC_ON_START: String(opts.sandbox),
    AEO_DATA_DIR: opts.dataDir,
    AEO_API_KEYS: `lookup:${lookupToken},partner-EU:${partnerToken}`,
    LOG_LEVEL: BENCH_LOG_LEVEL,
    ...(opts.sandbox ? {} : signingEnv(opts.dataDir)),
    ...(opts.certsDir === undefined ? {} : { AEO_CERTS_DIR: opts.certsDir }),
    ...(opts.databaseUrl === undefined ? {} : { DATABASE_URL: opts.databaseUrl }),
  };
  const config = loadConfig(env, REPO_ROOT);
  const logger = benchLogger(config.logLevel, logFile);
  const gateway = await startGateway(config, logger, { metrics: opts.metrics ?? true });
  return { gateway, url: gateway.url, lookupToken, partnerToken, logFile, close: () => gateway.close() };
}

export interface BenchPki {
  /** AEO_CERTS_DIR: certs/{eu,hk,mo}/ca.pem hold the run's CA. */
  certsDir: string;
  signer: PemPair;
}

/** A CA and a list signer created for this run, the CA installed as the EU trust anchor. */
export function createBenchPki(): BenchPki {
  const ca = createCertificateAuthority('AEO bench EU CA');
  const signer = issueSigningCertificate(ca, 'EU AEO list signer (bench)');
  const certsDir = path.join(tempDir('certs'), 'certs');
  // Only EU lists are signed here, but a gateway refuses to start without an anchor for every enabled partner.
  for (const p of ['eu', 'hk', 'mo']) {
    mkdirSync(path.join(certsDir, p), { recursive: true });
    writeFileSync(path.join(certsDir, p, 'ca.pem'), ca.certPem);
  }
  return { certsDir, signer };
}

export interface SignedList {
  body: Buffer;
  signature: Buffer;
  operators: number;
}

/** The EU FULL list of a sandbox generation, `size` operators in generation 0, signed. */
export function signedEuList(generation: number, size: number, generatedAt: Date, signer: PemPair): SignedList {
  const operators = sandboxPopulation('EU', generation, { size });
  const header = { sender: 'EU', receiver: 'CN', sequence: 1000 + generation, kind: 'FULL' as const, generatedAt: formatGeneratedAt('EU', generatedAt) };
  const body = renderList('EU', header, operators);
  return { body, signature: signDetachedCms(body, signer), operators: operators.length };
}

// ---------------------------------------------------------------------------------------------
// A realistic mix of declared codes, as clearance systems send them (deterministic)

export interface CodeMixShare {
  kind: string;
  share: number;
}

export const CODE_MIX: readonly CodeMixShare[] = [
  { kind: 'EU operator (EORI)', share: 0.5 },
  { kind: 'EU operator (authorisation number, spaces)', share: 0.05 },
  { kind: 'EU operator (lower case, dashes)', share: 0.05 },
  { kind: 'HK / MO operator', share: 0.05 },
  { kind: 'not listed (valid EU/HK code)', share: 0.2 },
  { kind: 'invalid', share: 0.08 },
  { kind: 'no agreement (US)', share: 0.04 },
  { kind: 'no data (SG)', share: 0.03 },
];

/**
 * `count` distinct EORIs of VALID sandbox EU operators (generation 0), in a fixed shuffled order:
 * what a clearance system sends (real operators), every answer a full one (~780 bytes).
 */
export function realOperatorCodes(count: number): string[] {
  const rng = createRandom(hashSeed('aeo-bench', 'real-codes'));
  const valid = sandboxPopulation('EU', 0).filter((o) => o.Status === 'VALID').map((o) => o.EORI);
  const codes = [...new Set(valid)];
  if (codes.length < count) throw new Error(`only ${codes.length} valid EU operators in the sandbox`);
  for (let i = codes.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [codes[i], codes[j]] = [codes[j]!, codes[i]!];
  }
  return codes.slice(0, count);
}

/** `count` codes drawn from the sandbox populations (EU default size) following CODE_MIX. */
export function codeMix(count: number): string[] {
  const rng = createRandom(hashSeed('aeo-bench', 'codes'));
  const eu = sandboxPopulation('EU', 0);
  const hk = sandboxPopulation('HK', 0).map((o) => `HK${o.aeoNumber}`);
  const mo = sandboxPopulation('MO', 0).map((o) => `MO${o.numeroAEO}`);
  const digits = (n: number): string => Array.from({ length: n }, () => String(rng.int(0, 9))).join('');
  const make: Record<string, () => string> = {
    'EU operator (EORI)': () => rng.pick(eu).EORI,
    'EU operator (authorisation number, spaces)': () => rng.pick(eu).AuthorisationNumber.replace(/^(..)(AEO.)/, '$1 $2 '),
    'EU operator (lower case, dashes)': () => rng.pick(eu).EORI.toLowerCase().replace(/^(..)/, '$1-'),
    'HK / MO operator': () => (rng.chance(0.6) ? rng.pick(hk) : rng.pick(mo)),
    'not listed (valid EU/HK code)': () => (rng.chance(0.8) ? `${rng.pick(['DE', 'FR', 'NL', 'IT'])}9${digits(11)}` : `HK9${digits(14)}`),
    invalid: () => rng.pick(['X', '12345678', 'DE', 'DE!!123', `${'A'.repeat(40)}`, 'MO12', 'ZZ*1', '']),
    'no agreement (US)': () => `US${digits(7)}`,
    'no data (SG)': () => `SG${digits(12)}`,
  };
  const codes: string[] = [];
  for (const { kind, share } of CODE_MIX) {
    const n = Math.round(count * share);
    for (let i = 0; i < n && codes.length < count; i++) codes.push(make[kind]!());
  }
  while (codes.length < count) codes.push(rng.pick(eu).EORI);
  // Shuffle (Fisher–Yates) so a batch is not sorted by kind.
  for (let i = codes.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [codes[i], codes[j]] = [codes[j]!, codes[i]!];
  }
  return codes;
}

/** The machine line of the report. */
export function machine(): { cpu: string; cores: number; memoryGiB: number; node: string; os: string; loadAverage: number } {
  const cpus = os.cpus();
  return {
    loadAverage: os.loadavg()[0] ?? 0,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: os.totalmem() / 1024 ** 3,
    node: process.version,
    os: `${os.type()} ${os.release()} (${os.arch()})`,
  };
}
