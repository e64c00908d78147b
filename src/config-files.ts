// The configuration's directories, checked before anything is opened: partner manifests, payload
// schemas and trust anchors. A gateway whose enabled partner has no anchor would start "ready" and
// refuse every list as SIGNER_UNTRUSTED, so it must not start at all (contract 1).
import { statSync } from 'node:fs';
import path from 'node:path';
import { CatalogError, loadCatalog } from './catalog/load.js';
import type { PartnerDefinition } from './catalog/types.js';
import { ConfigError, directorySettings, loadConfig, type Config } from './config.js';
import { loadTrustAnchors } from './crypto/index.js';
import { SANDBOX_PARTNERS } from './sandbox/population.js';

export type DirectorySettings = Pick<Config, 'partnersDir' | 'schemasDir' | 'certsDir' | 'sandbox'>;

const isDirectory = (dir: string): boolean => statSync(dir, { throwIfNoEntry: false })?.isDirectory() === true;

/** Every problem of the three directories, each naming its setting; [] when all is well. */
export async function directoryProblems(s: DirectorySettings): Promise<string[]> {
  const problems: string[] = [];
  const dirs = { AEO_PARTNERS_DIR: s.partnersDir, AEO_SCHEMAS_DIR: s.schemasDir, AEO_CERTS_DIR: s.certsDir };
  for (const [name, dir] of Object.entries(dirs)) {
    if (!isDirectory(dir)) problems.push(`${name}: ${dir} is not a directory`);
  }
  if (problems.length > 0) return problems;
  if (statSync(path.join(s.partnersDir, 'agreements.json'), { throwIfNoEntry: false })?.isFile() !== true) {
    problems.push(`AEO_PARTNERS_DIR: ${s.partnersDir} has no agreements.json`);
  }
  let defs: PartnerDefinition[];
  try {
    defs = await loadCatalog(s.partnersDir, s.schemasDir);
  } catch (err) {
    if (!(err instanceof CatalogError)) throw err;
    return [...problems, ...err.problems.map((p) => `AEO_PARTNERS_DIR / AEO_SCHEMAS_DIR: ${p.file}: ${p.problem}`)];
  }
  for (const def of defs) problems.push(...anchorProblems(def, s));
  return problems;
}

function anchorProblems(def: PartnerDefinition, s: DirectorySettings): string[] {
  if (!def.manifest.enabled) return [];
  const dir = path.join(s.certsDir, def.code.toLowerCase());
  let count: number;
  try {
    count = loadTrustAnchors(dir).length;
  } catch (err) {
    return [`AEO_CERTS_DIR: ${(err as Error).message}`];
  }
  // In sandbox mode the simulated partners' CAs are generated at start and trusted besides.
  const generated = s.sandbox && (SANDBOX_PARTNERS as readonly string[]).includes(def.code);
  if (count > 0 || generated) return [];
  return [`AEO_CERTS_DIR: partner ${def.code} is enabled but ${dir} holds no trust anchor (*.pem certificate)`];
}

/**
 * `loadConfig` for `serve`: when the environment has bad settings, the directories' problems are
 * named in the same message (one message, every bad setting). When it has none, `startGateway`
 * checks the directories itself.
 */
export async function loadServeConfig(env: Readonly<Record<string, string | undefined>>, cwd: string): Promise<Readonly<Config>> {
  try {
    return loadConfig(env, cwd);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new ConfigError([...err.problems, ...(await directoryProblems(directorySettings(env, cwd)))]);
  }
}
