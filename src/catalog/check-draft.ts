// Every check of a draft partner version at once (contract section 11), as problems with paths into
// the request body. Pure: the registry facts and the time come in as arguments.
import { checkAnchor, checkCrl, holdsPrivateKey } from '../crypto/anchor-check.js';
import { certFingerprint } from '../crypto/x509.js';
import { createAjv } from '../json-schema.js';
import { bundleManifest, type PartnerBundle } from './bundle.js';
import { mappingPointers } from './mapping-pointers.js';
import { validateManifest } from './manifest.js';
import { pointerInSchema } from './schema-pointers.js';
import type { PartnerManifest } from './types.js';

export interface BundleProblem {
  path: string;
  message: string;
}

export interface DraftFacts {
  /** The partner code an agreement belongs to, when the registry has it. */
  agreementPartner: (agreementId: string) => string | undefined;
  /** The exchange partner (another code) that already serves this agreement, if any. */
  servedBy: (agreementId: string) => string | undefined;
  now: Date;
}

export type DraftCheck = { ok: true; note: string; bundle: PartnerBundle } | { ok: false; problems: BundleProblem[] };

const FIELDS = new Set(['note', 'manifest', 'payloadSchema', 'trustAnchors', 'crls']);
const MAX_NOTE = 2000;
const MAX_ANCHORS = 20;
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function checkDraft(code: string, body: unknown, facts: DraftFacts): DraftCheck {
  if (!isObject(body)) return { ok: false, problems: [{ path: '', message: 'the body must be a JSON object' }] };
  const problems: BundleProblem[] = [];
  const add = (path: string, message: string): void => void problems.push({ path, message });
  for (const key of Object.keys(body)) if (!FIELDS.has(key)) add(`/${key}`, 'is not a field of a partner version');

  const note = body.note;
  if (typeof note !== 'string' || note.trim() === '') add('/note', 'a note saying why is required');
  else if (note.length > MAX_NOTE) add('/note', `must be at most ${MAX_NOTE} characters`);
  // Keys pasted into the wrong field are refused too (and so never stored).
  for (const key of ['note', 'manifest', 'payloadSchema']) if (holdsPrivateKey(JSON.stringify(body[key]) ?? '')) add(`/${key}`, 'holds a private key; it was not stored');

  const manifest = checkManifest(code, body.manifest, facts, add);
  checkSchema(body.payloadSchema, add);
  // Walked even when the schema does not compile or the agreement is wrong: every problem at once.
  if (manifest && isObject(body.payloadSchema)) checkPointers(manifest, body.payloadSchema, add);
  const trustAnchors = checkAnchors(body.trustAnchors, facts.now, add);
  const crls = checkCrls(body.crls, add);
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    note: (note as string).trim(),
    bundle: { manifest: body.manifest as Record<string, unknown>, payloadSchema: body.payloadSchema as Record<string, unknown>, trustAnchors, crls },
  };
}

type Add = (path: string, message: string) => void;

/** The manifest with defaults when its shape is valid (even if its code or agreement is wrong), else null. */
function checkManifest(code: string, raw: unknown, facts: DraftFacts, add: Add): PartnerManifest | null {
  if (!isObject(raw)) {
    add('/manifest', 'must be a JSON object (the partner manifest)');
    return null;
  }
  const result = validateManifest(bundleManifest(raw));
  if (!result.ok) {
    for (const p of result.problems) {
      const at = p.indexOf(': ');
      const where = at === -1 ? '' : p.slice(0, at);
      add(`/manifest${where === '(root)' ? '' : where}`, at === -1 ? p : p.slice(at + 2));
    }
    return null;
  }
  const m = result.manifest;
  if (m.code !== code) add('/manifest/code', `is ${m.code}, but the version is posted for ${code}`);
  const owner = facts.agreementPartner(m.agreementId);
  const other = facts.servedBy(m.agreementId);
  if (owner === undefined) {
    add('/manifest/agreementId', `the registry has no agreement ${m.agreementId}; add it first with PUT /admin/agreements/${m.agreementId}`);
  } else if (owner !== m.code) {
    add('/manifest/agreementId', `${m.agreementId} is the agreement of partner ${owner}, not ${m.code}`);
  } else if (other !== undefined && other !== m.code) {
    add('/manifest/agreementId', `${m.agreementId} is already served by partner ${other}`);
  }
  return m;
}

/** Strict compile, exactly as the pipeline compiles a payload schema. */
function checkSchema(raw: unknown, add: Add): void {
  if (!isObject(raw)) {
    add('/payloadSchema', 'must be a JSON Schema object (draft 2020-12)');
    return;
  }
  try {
    createAjv(false).compile(raw);
  } catch (err) {
    add('/payloadSchema', `does not compile (ajv strict): ${err instanceof Error ? err.message.slice(0, 300) : 'unknown error'}`);
  }
}

function checkPointers(manifest: PartnerManifest, schema: Record<string, unknown>, add: Add): void {
  for (const p of mappingPointers(manifest.mapping)) {
    if (!pointerInSchema(schema, manifest.mapping.records, p.pointer, p.base)) {
      const where = p.base === 'record' ? 'a record of the payload schema' : 'the payload schema';
      add(`/manifest${p.at}`, `the pointer ${p.pointer} names nothing in ${where}`);
    }
  }
}

function checkAnchors(raw: unknown, now: Date, add: Add): string[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    add('/trustAnchors', 'at least one CA certificate (PEM text) is required');
    return [];
  }
  if (raw.length > MAX_ANCHORS) add('/trustAnchors', `at most ${MAX_ANCHORS} anchors`);
  const seen = new Set<string>();
  const out: string[] = [];
  raw.slice(0, MAX_ANCHORS).forEach((entry, i) => {
    const { problems, cert } = checkAnchor(entry, now);
    for (const p of problems) add(`/trustAnchors/${i}`, p);
    if (!cert) return;
    const fingerprint = certFingerprint(cert);
    if (seen.has(fingerprint)) add(`/trustAnchors/${i}`, 'repeats an earlier anchor');
    seen.add(fingerprint);
    // Stored as parsed (one canonical PEM block): nothing around the certificate is kept.
    out.push(cert.toString().trim());
  });
  return out;
}

function checkCrls(raw: unknown, add: Add): string[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    add('/crls', 'must be an array of PEM texts');
    return [];
  }
  raw.forEach((entry, i) => {
    for (const p of checkCrl(entry)) add(`/crls/${i}`, p);
  });
  return raw.filter((e): e is string => typeof e === 'string').map((e) => e.trim());
}
