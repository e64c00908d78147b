// Is the signer certificate revoked (contract 6.2)? Pure: the CRLs come in as DER, whatever their
// source (the partner's definition, the CMS, a distribution point). Only a CRL whose issuer is the
// signer's issuer, whose signature that CA made, and that is current (thisUpdate ≤ now ≤ nextUpdate)
// counts. Listed → SIGNER_REVOKED; no such CRL → SIGNER_REVOCATION_UNKNOWN when the manifest says
// "required", a warning in the run when it says "best-effort".
import type { X509Certificate } from 'node:crypto';
import { crlSignedBy, parseCrl, type Crl } from '../crypto/crl.js';
import { readCertFields } from '../crypto/x509.js';
import { AppError } from '../errors.js';

export type RevocationMode = 'required' | 'best-effort';
export type CrlSource = 'partner' | 'cms' | 'distribution-point';

export interface CrlInput {
  der: Uint8Array;
  source: CrlSource;
}

/** Which CRL decided, as the run records it. */
export interface CrlUsed {
  issuer: string;
  thisUpdate: string;
  nextUpdate: string | null;
  source: CrlSource;
}

export interface RevocationRecord {
  status: 'good' | 'revoked' | 'unknown';
  crl: CrlUsed | null;
  /** Set when a best-effort check found no current CRL. */
  warning: string | null;
}

/** A CRL issued "in the future" by a CA whose clock runs a little ahead still counts. */
const CLOCK_SKEW_MS = 5 * 60_000;

const usedOf = (crl: Crl, source: CrlSource): CrlUsed => ({
  issuer: crl.issuer,
  thisUpdate: crl.thisUpdate.toISOString(),
  nextUpdate: crl.nextUpdate?.toISOString() ?? null,
  source,
});

/** The current, correctly signed CRLs of the signer's issuer, newest first. */
function coveringCrls(issuer: X509Certificate, issuerDer: Buffer, inputs: readonly CrlInput[], now: Date): { crl: Crl; source: CrlSource }[] {
  const found: { crl: Crl; source: CrlSource }[] = [];
  for (const input of inputs) {
    let crl: Crl;
    try {
      crl = parseCrl(Buffer.from(input.der));
    } catch {
      continue; // not a CRL: it covers nothing
    }
    if (!crl.issuerDer.equals(issuerDer) || !crlSignedBy(crl, issuer)) continue;
    const t = now.getTime();
    if (crl.thisUpdate.getTime() > t + CLOCK_SKEW_MS || (crl.nextUpdate !== null && crl.nextUpdate.getTime() < t)) continue;
    found.push({ crl, source: input.source });
  }
  return found.sort((a, b) => b.crl.thisUpdate.getTime() - a.crl.thisUpdate.getTime());
}

/** Throws SIGNER_REVOKED / SIGNER_REVOCATION_UNKNOWN (details: { revocation }); else what the run records. */
export function assessRevocation(
  signer: X509Certificate,
  issuer: X509Certificate | null,
  inputs: readonly CrlInput[],
  now: Date,
  mode: RevocationMode,
): RevocationRecord {
  const fields = readCertFields(signer.raw);
  const covering = issuer === null ? [] : coveringCrls(issuer, fields.issuerDer, inputs, now);
  const listing = covering.find((c) => c.crl.revoked.has(fields.serial));
  if (listing) {
    const revocation: RevocationRecord = { status: 'revoked', crl: usedOf(listing.crl, listing.source), warning: null };
    throw new AppError('SIGNER_REVOKED', `The signer certificate is revoked by the CRL of ${listing.crl.issuer}.`, { revocation });
  }
  const newest = covering[0];
  if (newest) return { status: 'good', crl: usedOf(newest.crl, newest.source), warning: null };
  const why = 'No current CRL signed by the issuing CA covers the signer certificate.';
  if (mode === 'required') {
    throw new AppError('SIGNER_REVOCATION_UNKNOWN', `${why} The partner's manifest requires one.`, {
      revocation: { status: 'unknown', crl: null, warning: null } satisfies RevocationRecord,
    });
  }
  return { status: 'unknown', crl: null, warning: `${why} Applied without a revocation check (revocation: best-effort).` };
}
