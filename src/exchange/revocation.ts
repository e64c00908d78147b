// Is any certificate of the signer's chain revoked (contract 6.2)? Pure: the CRLs come in as DER,
// whatever their source (the partner's definition, the CMS, a distribution point). Every certificate
// from the signer up to, not including, the trust anchor is checked against the CRLs of the CA that
// issued it on the verified chain. Only a CRL whose issuer is that CA, whose signature that CA made,
// and that is current (thisUpdate ≤ now ≤ nextUpdate) counts. Any certificate listed →
// SIGNER_REVOKED (a revoked intermediate CA revokes everything it issued); a certificate no such CRL
// covers → SIGNER_REVOCATION_UNKNOWN when the manifest says "required", a warning in the run when it
// says "best-effort". The record names the certificate that decided.
import type { X509Certificate } from 'node:crypto';
import { crlSignedBy, parseCrl, type Crl } from '../crypto/crl.js';
import { certFingerprint, formatSubject, readCertFields } from '../crypto/x509.js';
import { AppError } from '../errors.js';

export type RevocationMode = 'required' | 'best-effort';
export type CrlSource = 'partner' | 'cms' | 'distribution-point';
export type RevocationStatus = 'good' | 'revoked' | 'unknown';

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

/** One certificate of the chain, as checked. */
export interface CertificateRevocation {
  role: 'signer' | 'intermediate';
  subject: string;
  sha256Fingerprint: string;
  status: RevocationStatus;
  crl: CrlUsed | null;
}

export interface RevocationRecord {
  /** The whole chain's: revoked if any certificate is, unknown if any is not covered, else good. */
  status: RevocationStatus;
  /** The CRL that decided: the one listing the revoked certificate, or the signer's when good; null when unknown. */
  crl: CrlUsed | null;
  /** Set when a best-effort check found a certificate no current CRL covers. */
  warning: string | null;
  /** The certificate `status` is about: the revoked one, the first uncovered one, or the signer. */
  certificate?: Pick<CertificateRevocation, 'role' | 'subject' | 'sha256Fingerprint'>;
  /** Every certificate checked, signer first, up to (not including) the trust anchor. */
  chain?: CertificateRevocation[];
}

/** A CRL issued "in the future" by a CA whose clock runs a little ahead still counts. */
const CLOCK_SKEW_MS = 5 * 60_000;

const usedOf = (crl: Crl, source: CrlSource): CrlUsed => ({
  issuer: crl.issuer,
  thisUpdate: crl.thisUpdate.toISOString(),
  nextUpdate: crl.nextUpdate?.toISOString() ?? null,
  source,
});

interface ParsedCrl {
  crl: Crl;
  source: CrlSource;
}

function parseAll(inputs: readonly CrlInput[]): ParsedCrl[] {
  const out: ParsedCrl[] = [];
  for (const input of inputs) {
    try {
      out.push({ crl: parseCrl(Buffer.from(input.der)), source: input.source });
    } catch {
      // not a CRL: it covers nothing
    }
  }
  return out;
}

/** The current CRLs `issuer` signed for certificates it issued under `issuerDer`, newest first. */
function coveringCrls(issuer: X509Certificate, issuerDer: Buffer, crls: readonly ParsedCrl[], now: Date): ParsedCrl[] {
  const t = now.getTime();
  return crls
    .filter(({ crl }) => crl.issuerDer.equals(issuerDer) && crlSignedBy(crl, issuer))
    .filter(({ crl }) => crl.thisUpdate.getTime() <= t + CLOCK_SKEW_MS && (crl.nextUpdate === null || crl.nextUpdate.getTime() >= t))
    .sort((a, b) => b.crl.thisUpdate.getTime() - a.crl.thisUpdate.getTime());
}

function checkOne(cert: X509Certificate, issuer: X509Certificate | undefined, role: CertificateRevocation['role'], crls: readonly ParsedCrl[], now: Date): CertificateRevocation {
  const fields = readCertFields(cert.raw);
  const covering = issuer === undefined ? [] : coveringCrls(issuer, fields.issuerDer, crls, now);
  const listing = covering.find((c) => c.crl.revoked.has(fields.serial));
  const decided = listing ?? covering[0];
  return {
    role,
    subject: formatSubject(cert),
    sha256Fingerprint: certFingerprint(cert),
    status: listing ? 'revoked' : decided ? 'good' : 'unknown',
    crl: decided ? usedOf(decided.crl, decided.source) : null,
  };
}

const named = (c: CertificateRevocation): string => (c.role === 'signer' ? 'the signer certificate' : `the intermediate CA certificate ${c.subject}`);
const about = (c: CertificateRevocation): NonNullable<RevocationRecord['certificate']> => ({ role: c.role, subject: c.subject, sha256Fingerprint: c.sha256Fingerprint });

/**
 * `chain`: the verified path, signer first, ending with the trust anchor (a signer that is itself
 * the anchor: just the signer, whose revocation is then unknown). Throws SIGNER_REVOKED /
 * SIGNER_REVOCATION_UNKNOWN (details: { revocation }); else returns what the run records.
 */
export function assessRevocation(chain: readonly X509Certificate[], inputs: readonly CrlInput[], now: Date, mode: RevocationMode): RevocationRecord {
  const [signer] = chain;
  if (!signer) throw new Error('assessRevocation needs at least the signer certificate');
  const crls = parseAll(inputs);
  // The anchor is trusted as configured: it has no issuer on the chain to ask.
  const checked = chain.length === 1 ? [checkOne(signer, undefined, 'signer', crls, now)] : chain.slice(0, -1).map((cert, i) => checkOne(cert, chain[i + 1], i === 0 ? 'signer' : 'intermediate', crls, now));

  const revoked = checked.find((c) => c.status === 'revoked');
  if (revoked) {
    const revocation: RevocationRecord = { status: 'revoked', crl: revoked.crl, warning: null, certificate: about(revoked), chain: checked };
    const by = revoked.crl?.issuer ?? 'its CA';
    const message =
      revoked.role === 'signer'
        ? `The signer certificate is revoked by the CRL of ${by}.`
        : `The intermediate CA certificate ${revoked.subject} of the signer's chain is revoked by the CRL of ${by}.`;
    throw new AppError('SIGNER_REVOKED', message, { revocation });
  }
  const unknown = checked.filter((c) => c.status === 'unknown');
  const [first] = unknown;
  const [own] = checked;
  if (!first) return { status: 'good', crl: own?.crl ?? null, warning: null, ...(own ? { certificate: about(own) } : {}), chain: checked };
  const why = `No current CRL signed by the issuing CA covers ${unknown.map(named).join(' and ')}.`;
  if (mode === 'required') {
    throw new AppError('SIGNER_REVOCATION_UNKNOWN', `${why} The partner's manifest requires one.`, {
      revocation: { status: 'unknown', crl: null, warning: null, certificate: about(first), chain: checked } satisfies RevocationRecord,
    });
  }
  return { status: 'unknown', crl: null, warning: `${why} Applied without a revocation check (revocation: best-effort).`, certificate: about(first), chain: checked };
}
