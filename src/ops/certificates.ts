// The certificates the gateway depends on (contract 12.4): each partner's trust anchors, the signer
// of each partner's applied list, and our own signing certificate — with the days each has left.
import type { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { certFingerprint, formatName, formatSubject, parseCertificatesPem, signatureCertificates } from '../crypto/index.js';
import type { Partners } from '../exchange/partners.js';
import type { Signer } from '../exchange/types.js';
import type { Queryable } from '../store/db.js';

export type CertificateRole = 'trust_anchor' | 'last_signer' | 'own_signing';
export const CERTIFICATE_ROLES: readonly CertificateRole[] = ['trust_anchor', 'last_signer', 'own_signing'];
/** The partner label of our own certificates. */
export const OWN_PARTNER = 'CN';

export interface CertificateEntry {
  partner: string;
  role: CertificateRole;
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  sha256: string;
  daysLeft: number;
}

const DAY = 86_400_000;
const MAX_CACHED_SIGNERS = 1000;

/** Whole days until notAfter (negative once expired). */
export function daysLeft(notAfter: Date, now: number): number {
  return Math.floor((notAfter.getTime() - now) / DAY);
}

export function describeCertificate(cert: X509Certificate, partner: string, role: CertificateRole, now: number): CertificateEntry {
  const notAfter = new Date(cert.validTo);
  return {
    partner,
    role,
    subject: formatSubject(cert),
    issuer: formatName(cert.issuer),
    serial: cert.serialNumber.toUpperCase(),
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: notAfter.toISOString(),
    sha256: certFingerprint(cert),
    daysLeft: daysLeft(notAfter, now),
  };
}

/** Soonest expiry first; ties by partner, role and fingerprint, so the order is stable. */
export function bySoonestExpiry(a: CertificateEntry, b: CertificateEntry): number {
  return a.notAfter.localeCompare(b.notAfter) || a.partner.localeCompare(b.partner) || a.role.localeCompare(b.role) || a.sha256.localeCompare(b.sha256);
}

export interface CertificateSources {
  db: Queryable;
  partners: Partners;
  /** Our own signing certificate(s); none until one is configured. */
  ownSigning: () => readonly X509Certificate[];
}

/** Reads the stored signature of each partner's applied list once per run id; the certificate never changes. */
export class CertificateInventory {
  private readonly signers = new Map<string, X509Certificate | null>();

  constructor(private readonly sources: CertificateSources) {}

  async list(now = Date.now()): Promise<CertificateEntry[]> {
    const entries: CertificateEntry[] = [];
    for (const p of this.sources.partners.all()) {
      for (const anchor of p.anchors) entries.push(describeCertificate(anchor.cert, p.def.code, 'trust_anchor', now));
    }
    for (const { partner, cert } of await this.lastSigners()) entries.push(describeCertificate(cert, partner, 'last_signer', now));
    for (const cert of this.sources.ownSigning()) entries.push(describeCertificate(cert, OWN_PARTNER, 'own_signing', now));
    return entries.sort(bySoonestExpiry);
  }

  private async lastSigners(): Promise<{ partner: string; cert: X509Certificate }[]> {
    const rows = await this.sources.db.query<{ partner: string; id: string; signer: Signer | null; signature: string | null }>(
      `SELECT s.partner, e.id::text AS id, e.signer, encode(m.signature, 'base64') AS signature
         FROM partner_state s JOIN exchanges e ON e.id = s.last_exchange_id
         LEFT JOIN exchange_messages m ON m.exchange_id = e.id
        ORDER BY s.partner`,
    );
    const found: { partner: string; cert: X509Certificate }[] = [];
    for (const row of rows) {
      if (!this.signers.has(row.id)) {
        if (this.signers.size >= MAX_CACHED_SIGNERS) this.signers.clear();
        this.signers.set(row.id, signerCertificate(row.signature, row.signer));
      }
      const cert = this.signers.get(row.id);
      if (cert) found.push({ partner: row.partner, cert });
    }
    return found;
  }
}

/** The signer's own certificate among those the CMS carries (the run recorded its fingerprint). */
function signerCertificate(signatureBase64: string | null, signer: Signer | null): X509Certificate | null {
  if (signatureBase64 === null || signer === null) return null;
  try {
    return signatureCertificates(Buffer.from(signatureBase64, 'base64')).find((c) => certFingerprint(c) === signer.sha256Fingerprint) ?? null;
  } catch {
    return null; // the signature verified when the list was applied; unreadable now means we show nothing
  }
}

/** Our signing certificate from AEO_SIGNING_CERT_FILE (the first certificate of the PEM); none when unset. */
export function readOwnSigning(file: string | null): X509Certificate[] {
  if (file === null) return [];
  return parseCertificatesPem(readFileSync(file, 'utf8')).slice(0, 1);
}
