// A partner definition as stored in a version (contract section 11): manifest, payload schema, trust
// anchors and CRLs as plain JSON, its content SHA-256, and its compilation into a PartnerDefinition.
import { createHash } from 'node:crypto';
import { deepFreeze } from './freeze.js';
import { compileMapping } from './map.js';
import { validateManifest } from './manifest.js';
import type { PartnerDefinition } from './types.js';
import { compilePayloadValidator } from './validate.js';

export interface PartnerBundle {
  manifest: Record<string, unknown>;
  payloadSchema: Record<string, unknown>;
  /** PEM text, one CA certificate each. */
  trustAnchors: string[];
  /** PEM text of X.509 CRLs. */
  crls: string[];
}

/** The label a bundle's manifest gets when it names no schema file: the schema travels inline. */
export const INLINE_SCHEMA_LABEL = 'inline.schema.json';

/** The manifest as validateManifest wants it: `payloadSchema` is only a label in a bundle, so may be omitted. */
export function bundleManifest(manifest: unknown): unknown {
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) return manifest;
  const m = manifest as Record<string, unknown>;
  return m.payloadSchema === undefined ? { ...m, payloadSchema: INLINE_SCHEMA_LABEL } : m;
}

/** JSON with object keys sorted at every level: equal content gives equal bytes. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function contentSha256(bundle: PartnerBundle): string {
  return createHash('sha256').update(canonicalJson(bundle)).digest('hex');
}

/**
 * The bundle compiled for the pipeline. Throws an Error naming what does not compile: drafts were
 * checked when made, so this only fails for a version made by other means or by other code.
 */
export function compileBundle(code: string, bundle: PartnerBundle, source: string): PartnerDefinition {
  const result = validateManifest(bundleManifest(bundle.manifest));
  if (!result.ok) throw new Error(`the manifest is invalid: ${result.problems.slice(0, 5).join('; ')}`);
  const manifest = result.manifest;
  if (manifest.code !== code) throw new Error(`the manifest is for ${manifest.code}, not ${code}`);
  return {
    code,
    manifest: deepFreeze(manifest),
    source,
    validatePayload: compilePayloadValidator(bundle.payloadSchema, manifest.mapping.records),
    mapping: compileMapping(manifest.mapping),
  };
}
