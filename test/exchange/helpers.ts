// Helpers for the inbound exchange integration tests: throw-away PKI (generated at run time, never
// committed), signing with the real openssl CLI or our own CMS producer, list builders in the three
// built-in formats, and small HTTP wrappers around a test gateway.
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, expect } from 'vitest';
import { PartnerSync, type SyncDeps } from '../../src/exchange/sync.js';
import { createCertificateAuthority, issueSigningCertificate, signDetachedCms, type PemPair } from '../../src/crypto/index.js';
import { sandboxPopulation, type EuOperator, type HkOperator, type MoOperator } from '../../src/sandbox/population.js';
import { renderList, type ListMessageHeader } from '../../src/sandbox/render.js';
import { api, type TestGateway } from '../support/gateway.js';

export type Partner = 'EU' | 'HK' | 'MO';

export const OPENSSL = '/usr/bin/openssl';

/** A temporary folder, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `aeo-xt-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export const sha256Hex = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

// ---------------------------------------------------------------------------------------------
// PKI and signatures

export interface TestPki {
  name: string;
  ca: PemPair;
  signer: PemPair;
  /** Files for the openssl CLI (the key with mode 0600, in a temp folder). */
  signerCertFile: string;
  signerKeyFile: string;
  /** Computed here with node:crypto, independently of the gateway's code. */
  signerFingerprint: string;
  signerCommonName: string;
  remove(): void;
}

/** A CA and a signing certificate issued by it; keys generated now, kept in a temp folder. */
export function makePki(name: string): TestPki {
  const ca = createCertificateAuthority(`Test ${name} customs CA`);
  const signerCommonName = `Test ${name} AEO list signer`;
  const signer = issueSigningCertificate(ca, signerCommonName);
  const { dir, remove } = tempDir(`pki-${name.toLowerCase()}`);
  const signerCertFile = path.join(dir, 'signer.pem');
  const signerKeyFile = path.join(dir, 'signer.key');
  writeFileSync(signerCertFile, signer.certPem);
  writeFileSync(signerKeyFile, signer.keyPem, { mode: 0o600 });
  const signerFingerprint = new X509Certificate(signer.certPem).fingerprint256.replace(/:/g, '').toLowerCase();
  return { name, ca, signer, signerCertFile, signerKeyFile, signerFingerprint, signerCommonName, remove };
}

/** One PKI per name for the test file: made before its tests, removed after. */
export function pkisForFile<N extends string>(...names: N[]): Record<N, TestPki> {
  const pkis = {} as Record<N, TestPki>;
  beforeAll(() => {
    for (const name of names) pkis[name] = makePki(name);
  });
  afterAll(() => {
    for (const name of names) pkis[name].remove();
  });
  return pkis;
}

/** Makes `pki`'s CA a trust anchor of `partner`: `<certsDir>/<partner-lower>/<file>.pem`. */
export function trustAnchor(certsDir: string, partner: Partner, pki: TestPki, file = `${pki.name.toLowerCase()}-ca.pem`): void {
  const dir = path.join(certsDir, partner.toLowerCase());
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, file), pki.ca.certPem);
}

/** A detached CMS signature made by the real openssl CLI, exactly as a partner would make it. */
export function opensslSign(body: Buffer, pki: Pick<TestPki, 'signerCertFile' | 'signerKeyFile'>): Buffer {
  const { dir, remove } = tempDir('sign');
  try {
    const input = path.join(dir, 'list.bin');
    const output = path.join(dir, 'list.bin.p7s');
    writeFileSync(input, body);
    execFileSync(
      OPENSSL,
      ['cms', '-sign', '-binary', '-outform', 'DER', '-md', 'sha256', '-in', input, '-signer', pki.signerCertFile, '-inkey', pki.signerKeyFile, '-out', output],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    return readFileSync(output);
  } finally {
    remove();
  }
}

/** A detached CMS signature from the project's own producer (faster than spawning openssl). */
export function cmsSign(body: Buffer, pki: TestPki): Buffer {
  return signDetachedCms(body, pki.signer);
}

// ---------------------------------------------------------------------------------------------
// Lists

export interface HeaderOptions {
  kind?: 'FULL' | 'DELTA';
  generatedAt?: string;
  sender?: string;
  recordCount?: number;
}

/** YYYY-MM-DD `days` from today (UTC). */
export function isoDay(days: number, from = new Date()): string {
  return new Date(from.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

/** `n` EU operators: the three fixed ones of contract section 7, then generated ones forced VALID. */
export function euOperators(n: number): EuOperator[] {
  const ops = sandboxPopulation('EU', 0, { size: n });
  return ops.map((op, i) => (i < 3 ? op : { ...op, Status: 'VALID', StatusDate: op.EffectiveDate }));
}

export function euList(sequence: number, operators: readonly EuOperator[], opts: HeaderOptions = {}): Buffer {
  const header: ListMessageHeader = {
    sender: opts.sender ?? 'EU',
    receiver: 'CN',
    sequence,
    kind: opts.kind ?? 'FULL',
    generatedAt: opts.generatedAt ?? `${new Date().toISOString().slice(0, 19)}Z`,
    ...(opts.recordCount === undefined ? {} : { recordCount: opts.recordCount }),
  };
  return renderList('EU', header, operators);
}

/** A valid, recognised Macao operator (grade A, VALIDO until 2099) with the given 9-digit number. */
export function moOperator(numeroAEO: string, overrides: Partial<MoOperator> = {}): MoOperator {
  return {
    numeroAEO,
    grau: 'A',
    estado: 'VALIDO',
    denominacao: { pt: `Teste ${numeroAEO} Lda`, zh: '測試有限公司' },
    validoDesde: '2024-01-02',
    validoAte: '2099-12-31',
    estadoDesde: '2024-01-02',
    ...overrides,
  };
}

export function moList(sequence: number, operators: readonly MoOperator[], opts: HeaderOptions & { generatedAt: string }): Buffer {
  return renderList('MO', { sender: opts.sender ?? 'MO', receiver: 'CN', sequence, kind: opts.kind ?? 'FULL', generatedAt: opts.generatedAt }, operators);
}

export function hkList(sequence: number, operators: readonly HkOperator[], opts: HeaderOptions & { generatedAt: string }): Buffer {
  return renderList('HK', { sender: opts.sender ?? 'HK', receiver: 'CN', sequence, kind: opts.kind ?? 'FULL', generatedAt: opts.generatedAt }, operators);
}

// ---------------------------------------------------------------------------------------------
// HTTP

export type ApiResult = Awaited<ReturnType<typeof api>>;

/** The fields of a run (contract section 5) the tests read from API answers. */
export interface RunView {
  id: string;
  partner: string;
  trigger: string;
  startedAt: string;
  outcome: string | null;
  reason: string | null;
  sequence: number | null;
  payloadSha256: string | null;
  signer: { subject: string; sha256Fingerprint: string } | null;
  counts: { received: number; added: number; changed: number; removed: number; unchanged: number; invalid: number } | null;
}

export interface PushOptions {
  /** Default: the partner's own token. `null`: no Authorization header. */
  token?: string | null;
  contentType?: string;
}

/** POST /exchange/v1/inbound/{partner} with the raw bytes and X-AEO-Signature (base64 DER), when given. */
export function push(tg: TestGateway, partner: Partner, body: Buffer, signature: Buffer | null, opts: PushOptions = {}): Promise<ApiResult> {
  const headers: Record<string, string> = { 'content-type': opts.contentType ?? (partner === 'EU' ? 'application/xml' : 'application/json') };
  if (signature !== null) headers['x-aeo-signature'] = signature.toString('base64');
  const token = opts.token === undefined ? tg.keys.partner[partner]! : opts.token;
  return api(`${tg.url}/exchange/v1/inbound/${partner}`, token, { method: 'POST', raw: body, headers });
}

/** GET /v1/recognition/{code} with the lookup token; `query` e.g. { date: '2026-01-01' }. */
export function lookup(tg: TestGateway, code: string, query: Record<string, string> = {}): Promise<ApiResult> {
  const qs = new URLSearchParams(query).toString();
  return api(`${tg.url}/v1/recognition/${encodeURIComponent(code)}${qs ? `?${qs}` : ''}`, tg.keys.lookup);
}

/** The decision for `code` (asserting the lookup answered 200). */
export async function decisionOf(tg: TestGateway, code: string, query: Record<string, string> = {}): Promise<string> {
  const res = await lookup(tg, code, query);
  expect(res.status, `lookup ${code} ${JSON.stringify(query)}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body.decision as string;
}

export interface PartnerView {
  code: string;
  lastSequence: number | null;
  operatorCount: number;
  lastOutcome: string | null;
  lastSuccessAt: string | null;
  enabled: boolean;
  stale: boolean;
}

/** GET /v1/partners (admin scope: contract section 5 is not the lookup scope). */
export async function partnerView(tg: TestGateway, code: Partner): Promise<PartnerView> {
  const res = await api(`${tg.url}/v1/partners`, tg.keys.admin);
  expect(res.status).toBe(200);
  const found = (res.body.partners as PartnerView[]).find((p) => p.code === code);
  expect(found, `partner ${code} in /v1/partners`).toBeDefined();
  return found!;
}

/** GET /v1/exchanges/{id} (admin scope). */
export async function getExchange(tg: TestGateway, id: string): Promise<ApiResult> {
  return api(`${tg.url}/v1/exchanges/${id}`, tg.keys.admin);
}

/** What "the published data" looks like from outside: lookups of some codes and the partner's figures. */
export interface PublishedSnapshot {
  partner: { lastSequence: number | null; operatorCount: number };
  lookups: Record<string, unknown>;
}

export async function snapshot(tg: TestGateway, partner: Partner, codes: readonly string[]): Promise<PublishedSnapshot> {
  const view = await partnerView(tg, partner);
  const lookups: Record<string, unknown> = {};
  for (const code of codes) {
    const res = await lookup(tg, code);
    expect(res.status).toBe(200);
    // `date` is today: leave it out so a snapshot taken before midnight still compares.
    const answer = { ...(res.body as Record<string, unknown>) };
    delete answer.date;
    lookups[code] = answer;
  }
  return { partner: { lastSequence: view.lastSequence, operatorCount: view.operatorCount }, lookups };
}

/** Asserts that the published data is exactly as in `before`. */
export async function expectUnchanged(tg: TestGateway, partner: Partner, before: PublishedSnapshot): Promise<void> {
  const after = await snapshot(tg, partner, Object.keys(before.lookups));
  expect(after).toEqual(before);
}

/** Asserts a run's HTTP status, outcome and reason together (one message showing the whole body on failure). */
export function expectRun(res: ApiResult, status: number, outcome: string, reason: string | null): void {
  const problems: unknown = res.body?.problems;
  const summary = JSON.stringify({
    status: res.status,
    outcome: res.body?.outcome,
    reason: res.body?.reason,
    message: res.body?.reasonMessage,
    problems: Array.isArray(problems) ? problems.slice(0, 3) : problems,
  });
  expect({ status: res.status, outcome: res.body?.outcome, reason: res.body?.reason }, summary).toEqual({ status, outcome, reason });
}

/** Asserts an error body of contract section 8. */
export function expectErrorBody(res: ApiResult, status: number, code: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body).toEqual({ error: { code, message: expect.any(String) } });
  expect((res.body.error.message as string).length).toBeGreaterThan(0);
}

/** A PartnerSync on a test gateway's services, pulling from wherever `urlOf` says, with short timeouts. */
export function testSync(tg: TestGateway, urlOf: () => string, pullOptions: NonNullable<SyncDeps['pullOptions']>): PartnerSync {
  return new PartnerSync({
    db: tg.gateway.db,
    logger: pino({ level: 'silent' }),
    partners: tg.gateway.partners,
    pipeline: tg.gateway.pipeline,
    pullUrlOf: urlOf,
    pullOptions,
  });
}
