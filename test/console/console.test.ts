// The admin console in a real browser (headless Chromium) against a real sandbox gateway: what an
// operator does by clicking only — partners' health, a rejected exchange and its problems, a
// quarantined list approved with a reason, a lookup with its timeline, a registry edit, sign out —
// plus scope-limited screens, hostile partner text, CSP and accessibility (axe).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_SEQUENCE_BASE } from '../../src/sandbox/render.js';
import { api, startTestGateway, type TestGateway } from '../support/gateway.js';
import { cmsSign, makePki, moList, moOperator, push, trustAnchor, type TestPki } from '../exchange/helpers.js';
import { launchChromium } from './browser.js';

// Screenshots for docs/console.md are written only when asked (npm run screenshots).
const SHOTS = process.env.AEO_SCREENSHOTS_DIR ?? null;
const XSS_NAME = '<img src=x onerror=alert(1)>';

interface Watch {
  dialogs: string[];
  pageErrors: string[];
}

describe('admin console in Chromium (sandbox, PGlite)', () => {
  let tg: TestGateway;
  let browser: Browser;
  let pki: TestPki;
  const viewerToken = 'viewer-token-0123456789abcdef';
  const operatorToken = 'operator-token-0123456789abcdef';
  let moSequence = SANDBOX_SEQUENCE_BASE.MO;

  beforeAll(async () => {
    pki = makePki('CONSOLE-MO');
    // The test's own MO signer is trusted beside the sandbox CA, so the test can push MO lists.
    const certsDir = path.join((await import('node:os')).tmpdir(), `aeo-console-certs-${process.pid}`);
    for (const p of ['eu', 'hk', 'mo']) mkdirSync(path.join(certsDir, p), { recursive: true });
    trustAnchor(certsDir, 'MO', pki);
    tg = await startTestGateway({
      engine: 'pglite',
      sandbox: true,
      certsDir,
      extraKeys: [`viewer@night.viewer:${viewerToken}`, `operator@ops.night:${operatorToken}`],
    });
    const mo = await api(`${tg.url}/v1/partners`, tg.keys.admin);
    moSequence = (mo.body.partners as { code: string; lastSequence: number }[]).find((p) => p.code === 'MO')!.lastSequence;
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await tg?.close();
    pki?.remove();
  });

  /** A new browser context (own storage) signed in with `token`; `remember` keeps it in this tab across reloads. */
  async function open(token: string, watch?: Watch, remember = false): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    // Report every CSP violation and every dialog: hostile partner text must trigger neither.
    // Browser-side code as text: the test's own TypeScript has no DOM types.
    await page.addInitScript(
      "window.__csp = []; document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));",
    );
    if (watch) {
      page.on('dialog', (d) => {
        watch.dialogs.push(d.message());
        void d.dismiss();
      });
      page.on('pageerror', (e) => watch.pageErrors.push(e.message));
    }
    await page.goto(`${tg.url}/console/`);
    await page.getByLabel('API token').fill(token);
    if (remember) await page.getByLabel('Remember in this tab').check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Screens' }).waitFor();
    return page;
  }

  const cspViolations = (page: Page): Promise<string[]> => page.evaluate<string[]>('window.__csp');

  async function expectAccessible(page: Page, screen: string): Promise<void> {
    const result = await new AxeBuilder({ page }).analyze();
    const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${screen}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  }

  async function shot(page: Page, name: string): Promise<void> {
    if (SHOTS === null) return;
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  }

  function pushMo(operators: ReturnType<typeof moOperator>[], kind: 'FULL' | 'DELTA') {
    moSequence += 1;
    const body = moList(moSequence, operators, { kind, generatedAt: `${new Date().toISOString().slice(0, 19)}Z` });
    return push(tg, 'MO', body, cmsSign(body, pki));
  }

  it('serves the console without a token, with a strict CSP, and keeps the token out of the URL', async () => {
    const res = await fetch(`${tg.url}/console/exchanges?partner=EU`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const html = await res.text();
    expect(html).toContain('<meta name="aeo-sandbox" content="true">');
    expect(html).not.toMatch(/<script>(?!<\/script>)/); // no inline script
    expect((await fetch(`${tg.url}/console/assets/nope.js`)).status).toBe(404);

    const page = await open(tg.keys.admin);
    expect(page.url()).not.toContain(tg.keys.admin);
    expect(await page.evaluate<number>('sessionStorage.length')).toBe(0);
    // Held in memory only: a reload asks for the token again.
    await page.reload();
    await page.getByLabel('API token').waitFor();
    await page.close();
  });

  it('overview: the three partners OK, the signed-in name and scopes, the SANDBOX banner; first screen time is reported', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1360, height: 900 } })).newPage();
    await page.goto(`${tg.url}/console/`);
    await page.getByLabel('API token').fill(tg.keys.admin);
    const t0 = Date.now();
    await page.getByRole('button', { name: 'Sign in' }).click();
    const table = page.getByRole('table', { name: 'Exchange partners' });
    await table.getByRole('row', { name: /^EU/ }).waitFor();
    const firstScreenMs = Date.now() - t0;
    console.log(`console first screen after sign-in: ${firstScreenMs} ms`);
    for (const code of ['EU', 'HK', 'MO']) {
      await expect.poll(() => table.getByRole('row', { name: new RegExp(`^${code}`) }).innerText()).toMatch(/OK/);
    }
    await expect.poll(() => page.getByRole('note').innerText()).toMatch(/SANDBOX/);
    expect(await page.locator('header .who').innerText()).toMatch(/admin/);
    await expectAccessible(page, 'overview');
    await shot(page, 'overview');
    await page.close();
  });

  it('exchange: a list with a bad signature shows its reason, stage and signer state', async () => {
    const body = moList(moSequence + 1, [moOperator('100000001')], { kind: 'DELTA', generatedAt: `${new Date().toISOString().slice(0, 19)}Z` });
    const forged = cmsSign(Buffer.from(body.toString('utf8').replace('100000001', '100000009')), pki);
    const res = await push(tg, 'MO', body, forged);
    expect(res.body.outcome).toBe('REJECTED');

    const page = await open(tg.keys.admin, undefined, true);
    await page.getByRole('link', { name: 'Exchanges' }).click();
    await page.getByLabel('Outcome').selectOption('REJECTED');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/outcome=REJECTED/);
    const row = page.getByRole('row', { name: /SIGNATURE_INVALID/ }).first();
    await row.getByRole('link').click();
    await page.getByText('SIGNATURE_INVALID:').waitFor();
    expect(await page.getByRole('list', { name: 'Pipeline stages' }).innerText()).toMatch(/verify\s*\(stopped\)/);
    // Filters survive a reload (they are in the URL; the token was remembered in this tab).
    await page.goBack();
    await page.reload();
    await page.getByRole('row', { name: /SIGNATURE_INVALID/ }).first().waitFor();
    expect(await page.getByLabel('Outcome').inputValue()).toBe('REJECTED');
    await expectAccessible(page, 'exchanges');
    await shot(page, 'exchanges');
    await page.close();
  });

  it('quarantine: a mass-removal list is reviewed with its diff and approved with a reason', async () => {
    const held = await pushMo([moOperator('100000001')], 'FULL');
    expect(held.body.outcome, JSON.stringify(held.body)).toBe('QUARANTINED');
    const removed = held.body.counts.removed as number;

    const page = await open(tg.keys.admin);
    await page.getByRole('link', { name: 'Review it' }).first().click();
    const review = page.getByRole('region', { name: 'Quarantine review' });
    await review.getByText(/would add/).waitFor();
    expect(await review.innerText()).toContain(`remove ${removed} operators`);
    expect(await review.getByRole('table').getByRole('row').count()).toBeGreaterThan(1);
    await expectAccessible(page, 'quarantine');
    await shot(page, 'quarantine');

    const approve = review.getByRole('button', { name: 'Approve…' });
    expect(await approve.isDisabled()).toBe(true); // a reason is required
    await review.getByLabel(/Reason/).fill('MO confirmed the register clean-up by phone (ticket 4711)');
    await approve.click();
    expect(await review.getByRole('alertdialog').innerText()).toContain(`${removed} operators of MO become REVOKED`);
    await review.getByRole('button', { name: 'Confirm approval' }).click();
    await page.getByRole('heading', { name: /MO inbound run/ }).waitFor();
    await expect.poll(() => page.locator('.title-row .status').first().innerText()).toMatch(/APPLIED/);
    const run = await api(`${tg.url}/v1/exchanges/${held.body.id}`, tg.keys.admin);
    expect(run.body.outcome).toBe('APPLIED');
    expect(run.body.review).toMatchObject({ decision: 'approved' });
    await page.close();
  });

  it('lookup: was DE123456789012345 recognised on 2026-01-01, as known a month ago — with its timeline', async () => {
    const page = await open(tg.keys.admin);
    await page.getByRole('link', { name: 'Lookup' }).click();
    await page.getByLabel('Declared code').fill('DE123456789012345');
    await page.getByLabel('On date').first().fill('2026-01-01');
    await page.getByRole('button', { name: 'Look up', exact: true }).click();
    await page.getByText(/RECOGNISED — recognised/).waitFor();
    const timeline = page.getByRole('region', { name: /History of this operator/ });
    // The history is fetched after the answer: wait for it before counting.
    await timeline.getByRole('listitem').first().waitFor();
    expect(await timeline.getByRole('listitem').count()).toBeGreaterThan(0);
    expect(page.url()).toContain('code=DE123456789012345');

    // As known a month ago the gateway had no EU list yet: NO_DATA, and the statements are "learned later".
    const monthAgo = new Date(Date.now() - 30 * 86_400_000);
    const wall = monthAgo.toISOString().slice(0, 16); // a UTC wall time, as the datetime-local input takes it
    await page.getByRole('combobox', { name: /Times in/ }).selectOption('UTC');
    await page.getByLabel(/As known at/).fill(wall);
    await page.getByRole('button', { name: 'Look up', exact: true }).click();
    await page.getByText(/NO_DATA — not recognised/).waitFor();
    await expectAccessible(page, 'lookup');
    await shot(page, 'lookup');
    await page.close();
  });

  it('registry: an admin edits an agreement with a note, and the revision is listed', async () => {
    const page = await open(tg.keys.admin);
    await page.getByRole('link', { name: 'Registry' }).click();
    await page.getByRole('link', { name: 'CN-SG' }).click();
    const json = page.getByLabel(/Facts \(JSON/);
    const facts = JSON.parse(await json.inputValue()) as Record<string, unknown>;
    facts.notes = 'Checked against the GACC list on 2026-12-01 (console test).';
    await json.fill(JSON.stringify(facts, null, 2));
    await page.getByLabel(/Note \(required/).fill('console test: refresh the note');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/Saved:/).waitFor();
    await expect.poll(() => page.getByRole('table', { name: /Revisions by admins/ }).getByRole('row').count()).toBeGreaterThan(1);
    const after = await api(`${tg.url}/v1/agreements/CN-SG`, tg.keys.lookup);
    expect(after.body.notes).toBe('Checked against the GACC list on 2026-12-01 (console test).');
    await expectAccessible(page, 'registry');
    await shot(page, 'registry');
    // Sign out returns to sign-in and forgets the token.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
    await page.close();
  });

  it('a viewer sees the data but no action button; an operator may sync and review but not edit the registry', async () => {
    const viewer = await open(viewerToken);
    await viewer.getByRole('link', { name: 'EU' }).first().click();
    await viewer.getByRole('heading', { name: 'Partner EU' }).waitFor();
    expect(await viewer.getByRole('button', { name: 'Sync now' }).count()).toBe(0);
    expect(await viewer.getByRole('button', { name: /Dry run/ }).count()).toBe(0);
    await viewer.getByRole('link', { name: 'Registry' }).click();
    await viewer.getByRole('link', { name: 'CN-EU' }).click();
    await viewer.getByRole('heading', { name: /CN-EU/ }).waitFor();
    expect(await viewer.getByRole('button', { name: 'Save' }).count()).toBe(0);
    await viewer.close();

    const operator = await open(operatorToken);
    await operator.getByRole('link', { name: 'EU' }).first().click();
    await operator.getByRole('heading', { name: 'Partner EU' }).waitFor();
    expect(await operator.getByRole('button', { name: 'Sync now' }).count()).toBe(1);
    await operator.getByRole('link', { name: 'Registry' }).click();
    await operator.getByRole('link', { name: 'CN-EU' }).click();
    await operator.getByRole('heading', { name: /CN-EU/ }).waitFor();
    expect(await operator.getByRole('button', { name: 'Save' }).count()).toBe(0);
    await operator.close();
  });

  it('a partner naming an operator <img src=x onerror=alert(1)> runs no script and fires no CSP violation', async () => {
    const res = await pushMo([moOperator('100000077', { denominacao: { pt: XSS_NAME, zh: XSS_NAME } })], 'DELTA');
    expect(res.body.outcome, JSON.stringify(res.body)).toBe('APPLIED');
    const watch: Watch = { dialogs: [], pageErrors: [] };
    const page = await open(tg.keys.admin, watch, true);
    // A bookmarked lookup (the token remembered in this tab) answers at once.
    await page.goto(`${tg.url}/console/lookup?code=MO100000077`);
    await page.getByText(XSS_NAME, { exact: false }).first().waitFor();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await page.waitForTimeout(300);
    expect(watch.dialogs).toEqual([]);
    expect(watch.pageErrors).toEqual([]);
    expect(await cspViolations(page)).toEqual([]);
    await page.close();
  });

  it('outbound and domestic register: the first FULL to each partner, and China’s enterprises with their history', async () => {
    const page = await open(tg.keys.admin);
    await page.getByRole('link', { name: 'Outbound' }).click();
    const batches = page.getByRole('table', { name: /Batches, newest first/ });
    await batches.waitFor();
    await expect.poll(() => batches.getByRole('row', { name: /EU/ }).first().innerText()).toMatch(/ACKNOWLEDGED/);
    await batches.getByRole('row', { name: /EU/ }).first().getByRole('link').click();
    await page.getByRole('table', { name: 'States' }).waitFor();
    await expectAccessible(page, 'outbound');
    await shot(page, 'outbound');
    await page.getByRole('link', { name: 'Domestic register' }).click();
    await page.getByLabel(/Search/).fill('AEOCN1234567890');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('link', { name: 'AEOCN1234567890' }).click();
    await page.getByRole('table', { name: /History, oldest first/ }).waitFor();
    expect(await page.locator('.title-row .status').first().innerText()).toMatch(/VALID/);
    await expectAccessible(page, 'domestic');
    await page.close();
  });

  it('certificates and audit log screens load and are accessible', async () => {
    const page = await open(tg.keys.admin);
    await page.getByRole('link', { name: 'Certificates' }).click();
    await page.getByRole('table', { name: /certificates, soonest expiry first/ }).waitFor();
    await expectAccessible(page, 'certificates');
    await shot(page, 'certificates');
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('table', { name: /Entries, newest first/ }).waitFor();
    expect(await page.getByRole('table', { name: /Entries/ }).innerText()).toContain('exchange.approve');
    await expectAccessible(page, 'audit');
    await shot(page, 'audit');
    expect(await cspViolations(page)).toEqual([]);
    await page.close();
  });
});
