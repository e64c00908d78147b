// The partner catalog: every partners/*.partner.json validated, its payload schema and mapping
// compiled, joined into PartnerDefinitions. All problems of all files are reported at once.
import { readdir, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { deepFreeze } from './freeze.js';
import { compileMapping } from './map.js';
import { validateManifest } from './manifest.js';
import type { PartnerDefinition, PartnerManifest } from './types.js';
import { compilePayloadValidator } from './validate.js';

export { validateManifest, type ManifestResult } from './manifest.js';

export const MANIFEST_SUFFIX = '.partner.json';
/** Manifests are small; anything bigger is a mistake (or an attack through a future upload route). */
const MAX_FILE_BYTES = 1024 * 1024;

export interface CatalogProblem {
  file: string;
  problem: string;
}

/** Thrown by loadCatalog: one message naming every file and every problem. */
export class CatalogError extends Error {
  constructor(readonly problems: readonly CatalogProblem[]) {
    super(`The partner catalog is invalid:\n${problems.map((p) => `  ${p.file}: ${p.problem}`).join('\n')}`);
    this.name = 'CatalogError';
  }
}

type Loaded = { definition: PartnerDefinition } | { problems: string[] };

export async function loadCatalog(partnersDir: string, schemasDir: string): Promise<PartnerDefinition[]> {
  let names: string[];
  let schemasRoot: string;
  try {
    names = (await readdir(partnersDir)).filter((n) => n.endsWith(MANIFEST_SUFFIX)).sort();
  } catch {
    throw new CatalogError([{ file: partnersDir, problem: 'the partners directory cannot be read' }]);
  }
  try {
    schemasRoot = await realpath(schemasDir);
  } catch {
    throw new CatalogError([{ file: schemasDir, problem: 'the schemas directory cannot be read' }]);
  }

  const problems: CatalogProblem[] = [];
  const definitions: PartnerDefinition[] = [];
  for (const name of names) {
    const file = path.join(partnersDir, name);
    const loaded = await loadOne(file, name, schemasRoot);
    if ('definition' in loaded) definitions.push(loaded.definition);
    else problems.push(...loaded.problems.map((problem) => ({ file, problem })));
  }
  problems.push(...duplicates(definitions));
  if (problems.length > 0) throw new CatalogError(problems);
  return definitions;
}

function duplicates(definitions: readonly PartnerDefinition[]): CatalogProblem[] {
  const problems: CatalogProblem[] = [];
  const byCode = new Map<string, string>();
  const byAgreement = new Map<string, string>();
  for (const d of definitions) {
    const sameCode = byCode.get(d.code);
    if (sameCode) problems.push({ file: d.source, problem: `/code: ${d.code} is already defined in ${sameCode}` });
    byCode.set(d.code, d.source);
    const sameAgreement = byAgreement.get(d.manifest.agreementId);
    if (sameAgreement) problems.push({ file: d.source, problem: `/agreementId: ${d.manifest.agreementId} is already used by ${sameAgreement}` });
    byAgreement.set(d.manifest.agreementId, d.source);
  }
  return problems;
}

async function readJson(file: string): Promise<{ json: unknown } | { problem: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { problem: 'cannot be read' };
  }
  if (Buffer.byteLength(text) > MAX_FILE_BYTES) return { problem: `is larger than ${MAX_FILE_BYTES} bytes` };
  try {
    return { json: JSON.parse(text) as unknown };
  } catch (err) {
    return { problem: `is not valid JSON (${err instanceof Error ? err.message : 'parse error'})` };
  }
}

async function loadOne(file: string, name: string, schemasRoot: string): Promise<Loaded> {
  const read = await readJson(file);
  if ('problem' in read) return { problems: [read.problem] };
  const result = validateManifest(read.json);
  if (!result.ok) return { problems: result.problems };
  const manifest = result.manifest;

  const problems: string[] = [];
  const expectedName = `${manifest.code.toLowerCase()}${MANIFEST_SUFFIX}`;
  if (name !== expectedName) problems.push(`/code: ${manifest.code} must be in a file named ${expectedName}`);
  const validatePayload = await compileSchema(manifest, schemasRoot, problems);
  if (!validatePayload || problems.length > 0) return { problems };
  return {
    definition: {
      code: manifest.code,
      manifest: deepFreeze(manifest),
      source: file,
      validatePayload,
      mapping: compileMapping(manifest.mapping),
    },
  };
}

async function compileSchema(
  manifest: PartnerManifest,
  schemasRoot: string,
  problems: string[],
): Promise<PartnerDefinition['validatePayload'] | null> {
  const where = `/payloadSchema: ${manifest.payloadSchema}`;
  const target = path.resolve(schemasRoot, manifest.payloadSchema);
  let real: string;
  try {
    real = await realpath(target);
  } catch {
    problems.push(`${where} does not exist in the schemas directory`);
    return null;
  }
  // Checked after resolving links too: a symlink must not lead out of the schemas directory.
  const relative = path.relative(schemasRoot, real);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    problems.push(`${where} leads outside the schemas directory`);
    return null;
  }
  const read = await readJson(real);
  if ('problem' in read) {
    problems.push(`${where} ${read.problem}`);
    return null;
  }
  if (read.json === null || typeof read.json !== 'object' || Array.isArray(read.json)) {
    problems.push(`${where} is not a JSON Schema object`);
    return null;
  }
  try {
    return compilePayloadValidator(read.json as Record<string, unknown>, manifest.mapping.records);
  } catch (err) {
    problems.push(`${where} does not compile (${err instanceof Error ? err.message : 'unknown error'})`);
    return null;
  }
}
