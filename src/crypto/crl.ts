// Certificate revocation lists (RFC 5280 5): parsed with forge.asn1, signatures checked with
// node:crypto against the issuing CA. Inputs are DER or PEM, whatever holds them (certs/<partner>/
// *.crl files, a partner version's `crls`, a CMS, a distribution point).
import { verify as verifySignature, type X509Certificate } from 'node:crypto';
import { Class, DerError, Type, algorithm, children, expectUniversal, isTag, oid, parseDer, primitive, time, toDer, type Asn1 } from './der.js';
import { KEY_USAGE, readCertFields, stripLeadingZeros } from './x509.js';

export interface Crl {
  der: Buffer;
  /** The issuer Name exactly as encoded: compared with a certificate's issuer. */
  issuerDer: Buffer;
  /** RFC 4514-like, most specific first (for the run record). */
  issuer: string;
  thisUpdate: Date;
  nextUpdate: Date | null;
  /** Revoked serial numbers (INTEGER contents as binary strings, leading zeros removed). */
  revoked: ReadonlySet<string>;
  tbsDer: Buffer;
  signatureOid: string;
  signature: Buffer;
}

/** Bounds that keep a hostile CRL cheap. */
export const MAX_CRL_BYTES = 10 * 1024 * 1024;

const HASH_OF: Record<string, string> = {
  '1.2.840.113549.1.1.11': 'sha256', // sha256WithRSAEncryption
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256', // ecdsa-with-SHA256
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

const PEM_CRL = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/g;

/** DER of every CRL in the inputs: a DER buffer as it is, PEM text (or bytes) block by block. */
export function crlsToDer(inputs: readonly (string | Uint8Array)[]): Buffer[] {
  const out: Buffer[] = [];
  for (const input of inputs) {
    const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input);
    const text = bytes.subarray(0, 64).toString('latin1');
    if (!text.includes('-----BEGIN')) {
      out.push(bytes);
      continue;
    }
    for (const [, body] of bytes.toString('utf8').matchAll(PEM_CRL)) out.push(Buffer.from((body ?? '').replace(/\s+/g, ''), 'base64'));
  }
  return out;
}

/** Parses one DER CRL; throws DerError when it is not one. */
export function parseCrl(der: Buffer): Crl {
  if (der.length > MAX_CRL_BYTES) throw new DerError('CRL larger than allowed');
  const [tbs, sigAlg, sigValue] = children(expectUniversal(parseDer(der), Type.SEQUENCE, 'CertificateList'), 'CertificateList');
  const fields = children(expectUniversal(tbs, Type.SEQUENCE, 'tbsCertList'), 'tbsCertList');
  let i = isTag(fields[0], Class.UNIVERSAL, Type.INTEGER) ? 1 : 0; // optional version
  i++; // signature algorithm (repeated outside, which is the one we check)
  const issuerNode = expectUniversal(fields[i++], Type.SEQUENCE, 'issuer');
  const thisUpdate = time(fields[i++], 'thisUpdate');
  const maybeNext = fields[i];
  let nextUpdate: Date | null = null;
  if (isTag(maybeNext, Class.UNIVERSAL, Type.UTCTIME) || isTag(maybeNext, Class.UNIVERSAL, Type.GENERALIZEDTIME)) {
    nextUpdate = time(maybeNext, 'nextUpdate');
    i++;
  }
  const revoked = new Set<string>();
  const list = fields[i];
  if (isTag(list, Class.UNIVERSAL, Type.SEQUENCE)) {
    for (const entry of children(list, 'revokedCertificates')) {
      const [serial] = children(expectUniversal(entry, Type.SEQUENCE, 'revoked entry'), 'revoked entry');
      revoked.add(stripLeadingZeros(primitive(expectUniversal(serial, Type.INTEGER, 'serial'), 'serial')));
    }
  }
  const bits = primitive(expectUniversal(sigValue, Type.BITSTRING, 'signatureValue'), 'signatureValue');
  return {
    der,
    issuerDer: toDer(issuerNode),
    issuer: formatName(issuerNode),
    thisUpdate,
    nextUpdate,
    revoked,
    tbsDer: toDer(tbs as Asn1),
    signatureOid: algorithm(sigAlg, 'signatureAlgorithm').oid,
    signature: Buffer.from(bits.slice(1), 'binary'), // first octet: unused bits
  };
}

/** Whether `ca` signed this CRL (and may sign CRLs at all). */
export function crlSignedBy(crl: Crl, ca: X509Certificate): boolean {
  const hash = HASH_OF[crl.signatureOid];
  if (!hash || !ca.ca) return false;
  const usage = readCertFields(ca.raw).keyUsage;
  if (usage !== undefined && (usage & KEY_USAGE.cRLSign) === 0) return false;
  try {
    return verifySignature(hash, crl.tbsDer, ca.publicKey, crl.signature);
  } catch {
    return false;
  }
}

const ATTRIBUTE_NAMES: Record<string, string> = { '2.5.4.3': 'CN', '2.5.4.10': 'O', '2.5.4.11': 'OU', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST' };

/** A Name as "CN=…, O=…, C=…" (most specific first, like formatSubject). */
function formatName(name: Asn1): string {
  const parts: string[] = [];
  for (const rdn of children(name, 'Name')) {
    for (const atv of children(rdn, 'RDN')) {
      const [type, value] = children(atv, 'AttributeTypeAndValue');
      const id = oid(type, 'attribute type');
      const text = typeof value?.value === 'string' ? Buffer.from(value.value, 'binary').toString('utf8') : '';
      parts.push(`${ATTRIBUTE_NAMES[id] ?? id}=${text}`);
    }
  }
  return parts.reverse().join(', ');
}
