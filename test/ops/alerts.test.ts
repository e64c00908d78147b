// The alert rules (contract 12.2) under promtool: `check rules`, `test rules` with at least one firing
// test per alert, and `check metrics` on a real scrape of a started gateway, on both engines.
// promtool comes from Debian's `prometheus` package (.ci/run installs it); without it these tests fail.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/databases.js';
import { api, startTestGateway, type TestGateway } from '../support/gateway.js';
import { scrape } from '../support/prometheus.js';
import { cmsSign, euList, euOperators, expectRun, lookup, makePki, push, tempDir, trustAnchor, type TestPki } from '../exchange/helpers.js';

const RULES = fileURLToPath(new URL('../../docs/operations/alerts.yml', import.meta.url));
const RULE_TESTS = fileURLToPath(new URL('../../docs/operations/alerts.test.yml', import.meta.url));

/** The alerts contract 12.2 asks for, by the names alerts.yml gives them. */
const CONTRACT_ALERTS = [
  'AeoPartnerListLate', // list late
  'AeoPartnerDataStale', // data stale
  'AeoPartnerFailing', // failing
  'AeoSecurityRejection', // security rejection
  'AeoQuarantineWaiting', // quarantine waiting
  'AeoReceiptOverdue', // receipt overdue
  'AeoDeadLetter', // dead letter
  'AeoCertificateExpiresIn60Days', // certificate expiring in 60 …
  'AeoCertificateExpiresIn30Days', // … 30 …
  'AeoCertificateExpiresIn7Days', // … and 7 days
  'AeoReplicaLagging', // replica lagging
];

function promtool(args: string[], input?: string): { status: number | null; output: string } {
  const r = spawnSync('promtool', args, { input, encoding: 'utf8', timeout: 60_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error("promtool is not installed: install Debian's `prometheus` package (apt-get install prometheus), as .ci/run does.");
  }
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('docs/operations/alerts.yml', () => {
  it('has exactly the alerts of contract 12.2', () => {
    const names = [...readFileSync(RULES, 'utf8').matchAll(/^\s+- alert: (\w+)$/gm)].map((m) => m[1]);
    expect(names).toEqual(CONTRACT_ALERTS);
  });

  it('passes promtool check rules', () => {
    const r = promtool(['check', 'rules', RULES]);
    expect(r.output).toContain(`SUCCESS: ${CONTRACT_ALERTS.length} rules found`);
    expect(r.status, r.output).toBe(0);
  });

  it('passes promtool test rules, with at least one test per alert where it fires', () => {
    const tests = readFileSync(RULE_TESTS, 'utf8');
    // `exp_alerts:` followed by a list (not `[]`): a test in which the alert is expected to fire.
    const firing = new Set([...tests.matchAll(/alertname: (\w+)\n\s+exp_alerts:\n\s+- exp_labels:/g)].map((m) => m[1]));
    expect(CONTRACT_ALERTS.filter((a) => !firing.has(a))).toEqual([]);
    const r = promtool(['test', 'rules', RULE_TESTS]);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain('SUCCESS');
  });

  it('would catch a broken rule: promtool test rules fails when an alert fires at the wrong time', () => {
    const { dir, remove } = tempDir('rules');
    try {
      const broken = readFileSync(RULES, 'utf8').replace('for: 15m', 'for: 1m');
      const rulesCopy = `${dir}/alerts.yml`;
      const testsCopy = `${dir}/alerts.test.yml`;
      writeFileSync(rulesCopy, broken);
      writeFileSync(testsCopy, readFileSync(RULE_TESTS, 'utf8'));
      const r = promtool(['test', 'rules', testsCopy]);
      expect(r.status).not.toBe(0);
      expect(r.output).toContain('AeoPartnerListLate');
    } finally {
      remove();
    }
  });
});

describe.each(ENGINES)('promtool check metrics on a real scrape (%s)', (engine) => {
  let pki: TestPki;
  let certs: { dir: string; remove: () => void };
  let tg: TestGateway;

  beforeAll(async () => {
    pki = makePki('EU');
    certs = tempDir('certs');
    trustAnchor(certs.dir, 'EU', pki);
    tg = await startTestGateway({ engine, certsDir: certs.dir });
    // Some traffic, so that histograms, counters and certificate series all have samples.
    const list = euList(1, euOperators(5));
    expectRun(await push(tg, 'EU', list, cmsSign(list, pki)), 200, 'APPLIED', null);
    expect((await lookup(tg, 'DE123456789012345')).status).toBe(200);
    expect((await api(`${tg.url}/v1/partners`, null)).status).toBe(401);
  });

  afterAll(async () => {
    await tg?.close();
    certs?.remove();
    pki?.remove();
  });

  it('finds no problem', async () => {
    const { text } = await scrape(tg);
    expect(text).toContain('aeo_certificate_not_after_timestamp_seconds{');
    const r = promtool(['check', 'metrics'], text);
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
    // Every metric the rules read is one the gateway exports.
    const exported = new Set([...text.matchAll(/^# TYPE (\w+) /gm)].map((m) => m[1]));
    const used = new Set([...readFileSync(RULES, 'utf8').matchAll(/\b(aeo_\w+)/g)].map((m) => m[1]!));
    expect(used.size).toBe(6);
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
  });

  it('would report a badly named metric (the check is not vacuous)', () => {
    const r = promtool(['check', 'metrics'], '# HELP aeo_bad_count a counter without _total\n# TYPE aeo_bad_count counter\naeo_bad_count 1\n');
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('aeo_bad_count');
  });
});
