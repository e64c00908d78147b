// One manifest checked on its own: the JSON Schema (with defaults applied), then the rules a schema
// cannot say well. Used by the catalog loader and, later, by the admin onboarding route.
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { validate as isValidCron } from 'node-cron';
import manifestSchema from '../../schemas/partner-manifest.schema.json' with { type: 'json' };
import { outboundProblems } from '../outbound/settings.js';
import { compileMapping } from './map.js';
import type { PartnerManifest } from './types.js';
import { createAjv } from '../json-schema.js';
import { errorPath } from './validate.js';

export type ManifestResult = { ok: true; manifest: PartnerManifest } | { ok: false; problems: string[] };

// Compiled on first use; a pure function of a file shipped with the code, so sharing it is safe.
let compiled: ValidateFunction | undefined;

function manifestValidator(): ValidateFunction {
  compiled ??= createAjv(true, true).compile(manifestSchema as Record<string, unknown>);
  return compiled;
}

/** A path relative to the schemas directory that cannot leave it. */
export function isContainedRelativePath(relative: string): boolean {
  if (relative === '' || relative.startsWith('/') || relative.includes('\\')) return false;
  return relative.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

/**
 * Validate a parsed manifest. On success the manifest has every default applied (the input is not
 * modified). Problems read `<json pointer>: <what is wrong>`.
 */
export function validateManifest(json: unknown): ManifestResult {
  let candidate: unknown;
  try {
    candidate = structuredClone(json);
  } catch {
    return { ok: false, problems: ['(root): is not JSON data'] };
  }
  const validate = manifestValidator();
  if (!validate(candidate)) {
    const problems = (validate.errors ?? [])
      .filter((e) => e.keyword !== 'if')
      .map((e) => `${errorPath(e) || '(root)'}: ${e.message ?? 'is not valid'}`);
    return { ok: false, problems };
  }
  const manifest = candidate as PartnerManifest & { $schema?: string };
  delete manifest.$schema; // an editor hint, not part of the partner
  const problems: string[] = [];
  if (manifest.format === 'xml' && !manifest.xml) problems.push('/xml: is required when format is "xml"');
  if (manifest.format !== 'xml' && manifest.xml) problems.push('/xml: is only allowed when format is "xml"');
  if (!isContainedRelativePath(manifest.payloadSchema)) {
    problems.push('/payloadSchema: must be a relative path inside the schemas directory (no "..", ".", "//" or leading "/")');
  }
  if (!isValidCron(manifest.schedule)) problems.push('/schedule: is not a valid node-cron expression');
  if (manifest.outbound) problems.push(...outboundProblems(manifest.outbound));
  try {
    compileMapping(manifest.mapping);
  } catch (err) {
    problems.push(`/mapping: ${err instanceof Error ? err.message : String(err)}`);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, manifest };
}
