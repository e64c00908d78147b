// Certificate details node:crypto does not expose (serial and issuer DER, keyUsage, SKI, exact
// validity), read from the certificate DER with forge.asn1. forge.pki cannot load EC keys, so
// we only walk the ASN.1 here.
import { createHash, type X509Certificate } from 'node:crypto';
import { Class, Type, children, expectUniversal, isTag, octets, oid, parseDer, primitive, time, toDer, type Asn1 } from './der.js';

export const KEY_USAGE = {
  digitalSignature: 0x80,
  nonRepudiation: 0x40,
  keyEncipherment: 0x20,
  keyCertSign: 0x04,
  cRLSign: 0x02,
} as const;

export interface CertFields {
  /** INTEGER contents as a binary string, leading zero octets removed. */
  serial: string;
  /** The serial INTEGER and issuer Name as encoded in the certificate. */
  serialDer: Buffer;
  issuerDer: Buffer;
  notBefore: Date;
  notAfter: Date;
  /** First octet of the keyUsage bit string (the bits we care about), undefined when absent. */
  keyUsage: number | undefined;
  /** subjectKeyIdentifier as a binary string, undefined when absent. */
  subjectKeyId: string | undefined;
  /** The URIs of the cRLDistributionPoints extension (fullName entries), [] when absent. */
  crlDistributionPoints: string[];
}

export function stripLeadingZeros(intBytes: string): string {
  let i = 0;
  while (i < intBytes.length - 1 && intBytes.charCodeAt(i) === 0) i++;
  return intBytes.slice(i);
}

export function readCertFields(cert: Asn1 | Buffer): CertFields {
  const root = Buffer.isBuffer(cert) ? parseDer(cert) : cert;
  const tbs = children(children(root, 'certificate')[0], 'tbsCertificate');
  // version is an optional [0] EXPLICIT in front
  const offset = isTag(tbs[0], Class.CONTEXT_SPECIFIC, 0) ? 1 : 0;
  const at = (i: number): Asn1 | undefined => tbs[offset + i];
  const serialNode = expectUniversal(at(0), Type.INTEGER, 'serial');
  const issuer = expectUniversal(at(2), Type.SEQUENCE, 'issuer');
  const [notBefore, notAfter] = children(expectUniversal(at(3), Type.SEQUENCE, 'validity'), 'validity');

  let keyUsage: number | undefined;
  let subjectKeyId: string | undefined;
  let crlDistributionPoints: string[] = [];
  const extsWrapper = tbs.find((n) => isTag(n, Class.CONTEXT_SPECIFIC, 3));
  for (const ext of extsWrapper ? children(children(extsWrapper, 'extensions')[0], 'extensions') : []) {
    const parts = children(ext, 'extension');
    const id = oid(parts[0], 'extension id');
    const value = octets(parts[parts.length - 1], 'extension value');
    if (id === '2.5.29.15') {
      // KeyUsage ::= BIT STRING; first octet is the unused-bit count
      const bits = primitive(expectUniversal(parseDer(Buffer.from(value, 'binary')), Type.BITSTRING, 'keyUsage'), 'keyUsage');
      keyUsage = bits.length > 1 ? bits.charCodeAt(1) : 0;
    } else if (id === '2.5.29.14') {
      subjectKeyId = octets(parseDer(Buffer.from(value, 'binary')), 'subjectKeyIdentifier');
    } else if (id === '2.5.29.31') {
      crlDistributionPoints = distributionPointUris(parseDer(Buffer.from(value, 'binary')));
    }
  }
  return {
    serial: stripLeadingZeros(primitive(serialNode, 'serial')),
    serialDer: toDer(serialNode),
    issuerDer: toDer(issuer),
    notBefore: time(notBefore, 'notBefore'),
    notAfter: time(notAfter, 'notAfter'),
    keyUsage,
    subjectKeyId,
    crlDistributionPoints,
  };
}

/** CRLDistributionPoints → DistributionPoint [0] distributionPoint → [0] fullName → [6] URI. */
function distributionPointUris(points: Asn1): string[] {
  const uris: string[] = [];
  for (const point of children(points, 'CRLDistributionPoints')) {
    const name = children(point, 'DistributionPoint').find((n) => isTag(n, Class.CONTEXT_SPECIFIC, 0));
    const fullName = name ? children(name, 'distributionPoint').find((n) => isTag(n, Class.CONTEXT_SPECIFIC, 0)) : undefined;
    for (const general of fullName ? children(fullName, 'fullName') : []) {
      if (isTag(general, Class.CONTEXT_SPECIFIC, 6)) uris.push(primitive(general, 'URI'));
    }
  }
  return uris;
}

/** Lowercase hex SHA-256 of the certificate DER (what `openssl x509 -fingerprint -sha256` shows). */
export function certFingerprint(cert: X509Certificate): string {
  return createHash('sha256').update(cert.raw).digest('hex');
}

/** RFC 4514-like, most specific first: "CN=EU AEO list signer, O=European Commission, C=BE". */
export function formatSubject(cert: X509Certificate): string {
  return formatName(cert.subject);
}

/** A distinguished name as node:crypto gives it (one RDN a line), RFC 4514-like. */
export function formatName(name: string): string {
  return name
    .split('\n')
    .filter((rdn) => rdn.length > 0)
    .reverse()
    .join(', ');
}

export function isValidAt(fields: CertFields, at: Date): boolean {
  const t = at.getTime();
  return fields.notBefore.getTime() <= t && t <= fields.notAfter.getTime();
}
