// The built-in partners as files (partners/, schemas/, certs/) read into bundles: what seeds version 1
// of each, and what is offered as a new draft when the files change later.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadTrustAnchors } from '../crypto/index.js';
import type { PartnerBundle } from './bundle.js';
import { loadCatalog } from './load.js';

export interface FileBundle {
  code: string;
  /** The manifest file, for notes and logs. */
  source: string;
  bundle: PartnerBundle;
}

export interface CatalogDirs {
  partnersDir: string;
  schemasDir: string;
  certsDir: string;
}

/** Every partner of the files; the files are checked as the catalog always did (CatalogError names each problem). */
export async function readFileBundles(dirs: CatalogDirs): Promise<FileBundle[]> {
  const defs = await loadCatalog(dirs.partnersDir, dirs.schemasDir);
  return defs.map((def) => {
    const manifest = JSON.parse(readFileSync(def.source, 'utf8')) as Record<string, unknown>;
    delete manifest.$schema; // an editor hint, not part of the partner
    const payloadSchema = JSON.parse(readFileSync(path.join(dirs.schemasDir, def.manifest.payloadSchema), 'utf8')) as Record<string, unknown>;
    const certDir = path.join(dirs.certsDir, def.code.toLowerCase());
    const trustAnchors = loadTrustAnchors(certDir).map((a) => a.cert.toString().trim());
    return { code: def.code, source: def.source, bundle: { manifest, payloadSchema, trustAnchors, crls: readCrls(certDir) } };
  });
}

/** `*.crl` files as PEM text (DER files are wrapped), in name order. */
function readCrls(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.crl') && statSync(path.join(dir, f)).isFile())
    .sort()
    .map((f) => {
      const bytes = readFileSync(path.join(dir, f));
      const text = bytes.toString('latin1');
      if (text.includes('-----BEGIN X509 CRL-----')) return text.trim();
      const lines = bytes.toString('base64').match(/.{1,64}/g) ?? [];
      return `-----BEGIN X509 CRL-----\n${lines.join('\n')}\n-----END X509 CRL-----`;
    });
}
