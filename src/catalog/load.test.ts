// Loading the catalog: the repo's manifests, defaults, and every kind of bad manifest reported at once.
import { mkdtemp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CatalogError, loadCatalog, validateManifest } from './load.js';
import { REPO_PARTNERS_DIR, REPO_SCHEMAS_DIR } from './samples.fixture.js';

const readRepoManifest = async (code: string): Promise<Record<string, unknown>> =>
  JSON.parse(await readFile(path.join(REPO_PARTNERS_DIR, `${code}.partner.json`), 'utf8')) as Record<string, unknown>;

/** A scratch partners/ + schemas/ pair holding copies of the repo's payload schemas. */
let root: string;
let partnersDir: string;
let schemasDir: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'catalog-'));
  partnersDir = path.join(root, 'partners');
  schemasDir = path.join(root, 'schemas');
  await mkdir(partnersDir);
  for (const code of ['eu', 'hk', 'mo']) {
    await mkdir(path.join(schemasDir, 'partners', code), { recursive: true });
    const file = `partners/${code}/aeo-list.v1.schema.json`;
    await writeFile(path.join(schemasDir, file), await readFile(path.join(REPO_SCHEMAS_DIR, file)));
  }
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const writeManifest = (name: string, manifest: unknown): Promise<void> =>
  writeFile(path.join(partnersDir, name), typeof manifest === 'string' ? manifest : JSON.stringify(manifest));

async function catalogError(): Promise<CatalogError> {
  const err: unknown = await loadCatalog(partnersDir, schemasDir).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CatalogError);
  return err as CatalogError;
}

describe('loadCatalog', () => {
  it('loads the repository catalog, sorted by file name, frozen', async () => {
    const defs = await loadCatalog(REPO_PARTNERS_DIR, REPO_SCHEMAS_DIR);
    expect(defs.map((d) => d.code)).toEqual(['EU', 'HK', 'MO']);
    expect(Object.isFrozen(defs[0]!.manifest.mapping.record)).toBe(true);
    expect(defs[0]!.source).toMatch(/eu\.partner\.json$/);
    expect(defs[0]!.manifest).not.toHaveProperty('$schema');
  });

  it('applies the defaults', async () => {
    const hk = await readRepoManifest('hk');
    for (const key of ['enabled', 'schedule', 'freshnessHours', 'onStale', 'maxRemovalRatio', 'maxBytes', 'sandbox']) delete hk[key];
    await writeManifest('hk.partner.json', hk);
    const [def] = await loadCatalog(partnersDir, schemasDir);
    expect(def!.manifest).toMatchObject({
      enabled: true,
      schedule: '0 2 * * *',
      freshnessHours: 72,
      onStale: 'serve',
      maxRemovalRatio: 0.2,
      maxBytes: 67108864,
    });
    expect(def!.manifest.sandbox).toBeUndefined();
  });

  it('reports every problem of every file in one error naming each file', async () => {
    const missing = await readRepoManifest('eu');
    delete missing.agreementId;
    const unknown = { ...(await readRepoManifest('hk')), pullUrI: 'https://typo.example' };
    const escaping = { ...(await readRepoManifest('mo')), payloadSchema: 'partners/../../../etc/passwd.json' };
    await writeManifest('eu.partner.json', missing);
    await writeManifest('hk.partner.json', unknown);
    await writeManifest('mo.partner.json', escaping);
    const err = await catalogError();
    expect(err.problems).toEqual([
      { file: path.join(partnersDir, 'eu.partner.json'), problem: "/agreementId: must have required property 'agreementId'" },
      { file: path.join(partnersDir, 'hk.partner.json'), problem: '/pullUrI: must NOT have additional properties' },
      {
        file: path.join(partnersDir, 'mo.partner.json'),
        problem: '/payloadSchema: must be a relative path inside the schemas directory (no "..", ".", "//" or leading "/")',
      },
    ]);
    expect(err.message).toContain('eu.partner.json: /agreementId');
    expect(err.message).toContain('mo.partner.json: /payloadSchema');
  });

  it('refuses a payload schema reached through a symlink out of the schemas directory', async () => {
    const outside = path.join(root, 'outside.schema.json');
    await writeFile(outside, '{"type":"object"}');
    await symlink(outside, path.join(schemasDir, 'partners', 'hk', 'evil.schema.json'));
    await writeManifest('hk.partner.json', { ...(await readRepoManifest('hk')), payloadSchema: 'partners/hk/evil.schema.json' });
    expect((await catalogError()).problems[0]?.problem).toMatch(/leads outside the schemas directory/);
  });

  it('refuses a missing or uncompilable payload schema, bad JSON and a misnamed file', async () => {
    await writeManifest('hk.partner.json', { ...(await readRepoManifest('hk')), payloadSchema: 'partners/hk/nope.json' });
    await writeFile(path.join(schemasDir, 'bad.schema.json'), '{"type":"object","frobnicate":true}');
    await writeManifest('mo.partner.json', { ...(await readRepoManifest('mo')), payloadSchema: 'bad.schema.json' });
    await writeManifest('eu.partner.json', '{ not json');
    await writeManifest('xx.partner.json', await readRepoManifest('eu'));
    const problems = (await catalogError()).problems.map((p) => `${path.basename(p.file)}: ${p.problem}`);
    expect(problems).toEqual([
      expect.stringMatching(/^eu\.partner\.json: is not valid JSON/),
      'hk.partner.json: /payloadSchema: partners/hk/nope.json does not exist in the schemas directory',
      expect.stringMatching(/^mo\.partner\.json: \/payloadSchema: bad\.schema\.json does not compile \(strict mode: unknown keyword: "frobnicate"\)/),
      'xx.partner.json: /code: EU must be in a file named eu.partner.json',
    ]);
  });

  it('ignores other files (the agreement registry lives in partners/ too)', async () => {
    await writeFile(path.join(partnersDir, 'agreements.json'), '{}');
    expect(await loadCatalog(partnersDir, schemasDir)).toEqual([]);
  });

  it('names the directory when it cannot be read', async () => {
    await expect(loadCatalog(path.join(root, 'none'), schemasDir)).rejects.toThrow(/none: the partners directory cannot be read/);
  });
});

describe('validateManifest', () => {
  it('accepts the repo manifests and does not modify its input', async () => {
    const eu = await readRepoManifest('eu');
    delete eu.maxBytes;
    const result = validateManifest(eu);
    expect(result.ok).toBe(true);
    expect(eu).not.toHaveProperty('maxBytes');
    if (result.ok) expect(result.manifest.maxBytes).toBe(67108864);
  });

  it('xml settings are required for XML and refused for JSON', async () => {
    const eu = await readRepoManifest('eu');
    delete eu.xml;
    expect(validateManifest(eu)).toEqual({ ok: false, problems: ['/xml: is required when format is "xml"'] });
    const hk = { ...(await readRepoManifest('hk')), xml: { namespace: 'urn:x', root: 'X' } };
    expect(validateManifest(hk)).toEqual({ ok: false, problems: ['/xml: is only allowed when format is "xml"'] });
  });

  it('reports a bad schedule, a bad pointer and a bad template together', async () => {
    const hk = await readRepoManifest('hk');
    hk.schedule = '99 99 * * *';
    const mapping = hk.mapping as { records: string; record: { declaredCode: unknown } };
    mapping.record.declaredCode = { template: 'HK{/aeoNumber}}' };
    let result = validateManifest(hk);
    expect(result).toEqual({
      ok: false,
      problems: ['/schedule: is not a valid node-cron expression', '/mapping: template "HK{/aeoNumber}}" has an unmatched brace'],
    });
    mapping.records = 'aeos';
    result = validateManifest(hk);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems).toEqual([expect.stringMatching(/^\/mapping\/records: must match pattern/)]);
  });

  it('refuses status words mapped outside VALID | SUSPENDED | REVOKED', async () => {
    const mo = await readRepoManifest('mo');
    (mo.mapping as { record: { status: { map: Record<string, string> } } }).record.status.map.VALIDO = 'OK';
    const result = validateManifest(mo);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems).toContain('/mapping/record/status/map/VALIDO: must be equal to one of the allowed values');
  });

  it('says which field shape is wrong', async () => {
    const hk = await readRepoManifest('hk');
    (hk.mapping as { record: { name: unknown } }).record.name = { from: '/x' };
    const result = validateManifest(hk);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems).toContain("/mapping/record/name/map: must have required property 'map'");
  });
});
