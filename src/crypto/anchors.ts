// Trust anchors: the CA (or signer) certificates a partner's signatures must chain to,
// kept as PEM files in one directory per partner (contract 6.2: certs/<partner-lower>/*.pem).
import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { certFingerprint, formatSubject } from './x509.js';

export interface TrustAnchor {
  cert: X509Certificate;
  subject: string;
  /** Lowercase hex SHA-256 of the certificate DER. */
  sha256Fingerprint: string;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Every certificate in a PEM text; any other kind of block is an error (a key most of all). */
export function parseCertificatesPem(pem: string): X509Certificate[] {
  // Refuse loudly: a private key must never sit next to trust material.
  // Any private key block (PKCS#8, RSA, EC, encrypted): trust anchor folders hold public certificates only.
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE[ ]KEY-----/.test(pem)) {
    throw new Error('The PEM text contains a PRIVATE KEY block; only certificates are allowed here.');
  }
  const certs: X509Certificate[] = [];
  for (const [, label, body] of pem.matchAll(PEM_BLOCK)) {
    if (label !== 'CERTIFICATE') throw new Error(`The PEM text contains a "${label}" block; only CERTIFICATE blocks are allowed.`);
    try {
      certs.push(new X509Certificate(Buffer.from((body ?? '').replace(/\s+/g, ''), 'base64')));
    } catch {
      throw new Error(`PEM certificate #${certs.length + 1} cannot be parsed.`);
    }
  }
  return certs;
}

export function toTrustAnchor(cert: X509Certificate): TrustAnchor {
  return { cert, subject: formatSubject(cert), sha256Fingerprint: certFingerprint(cert) };
}

/** All certificates of the `*.pem` files in `dir` (name order, duplicates dropped); no dir → []. */
export function loadTrustAnchors(dir: string): TrustAnchor[] {
  if (!existsSync(dir)) return [];
  const anchors: TrustAnchor[] = [];
  const seen = new Set<string>();
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.pem') && statSync(join(dir, f)).isFile())
    .sort();
  for (const file of files) {
    const path = join(dir, file);
    let certs: X509Certificate[];
    try {
      certs = parseCertificatesPem(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new Error(`Trust anchor file ${path}: ${(err as Error).message}`, { cause: err });
    }
    if (certs.length === 0) throw new Error(`Trust anchor file ${path} holds no certificate.`);
    for (const cert of certs) {
      const anchor = toTrustAnchor(cert);
      if (seen.has(anchor.sha256Fingerprint)) continue;
      seen.add(anchor.sha256Fingerprint);
      anchors.push(anchor);
    }
  }
  return anchors;
}
