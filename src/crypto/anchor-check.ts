// Checks of one trust anchor or CRL offered in a partner version (contract section 11). Messages
// never quote the input: a pasted private key must not reach a log or an answer.
import { X509Certificate } from 'node:crypto';
import { Class, children, isTag, parseDer, Type } from './der.js';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 #]+)-----([\s\S]*?)-----END \1-----/g;
const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
const BASE64_ONLY = /^[A-Za-z0-9+/=\s]+$/;
const MIN_RSA_BITS = 2048;

/** True for text that holds private key material in any PEM form (PKCS#8, RSA, EC, encrypted, OpenSSH). */
export function holdsPrivateKey(text: string): boolean {
  return PRIVATE_KEY.test(text);
}

/** A PKCS#12 file pasted as base64: PFX ::= SEQUENCE { version INTEGER (3), authSafe, macData }. */
function looksLikePkcs12(text: string): boolean {
  if (!BASE64_ONLY.test(text)) return false;
  try {
    const [version] = children(parseDer(Buffer.from(text.replace(/\s+/g, ''), 'base64')), 'pfx');
    return isTag(version, Class.UNIVERSAL, Type.INTEGER) && version.value === '\u0003';
  } catch {
    return false;
  }
}

function blocks(text: string): { label: string; der: Buffer }[] {
  return [...text.matchAll(PEM_BLOCK)].map(([, label, body]) => ({ label: label ?? '', der: Buffer.from((body ?? '').replace(/\s+/g, ''), 'base64') }));
}

/** The problems of one anchor entry (empty: usable) and, when it parsed, its certificate. */
export function checkAnchor(entry: unknown, now: Date): { problems: string[]; cert: X509Certificate | null } {
  if (typeof entry !== 'string') return { problems: ['must be the PEM text of a CA certificate'], cert: null };
  if (holdsPrivateKey(entry)) {
    return { problems: ['holds a private key; only CA certificates are accepted (nothing of it was stored)'], cert: null };
  }
  if (looksLikePkcs12(entry)) return { problems: ['is a PKCS#12 file; send the CA certificate as PEM text instead'], cert: null };
  const found = blocks(entry);
  if (found.length === 0) return { problems: ['is not PEM text (-----BEGIN CERTIFICATE-----)'], cert: null };
  const other = found.find((b) => b.label !== 'CERTIFICATE');
  if (other) return { problems: [`holds a "${other.label}" block; only one CERTIFICATE block is accepted`], cert: null };
  if (found.length > 1) return { problems: ['holds several certificates; give each anchor as its own entry'], cert: null };
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(found[0]!.der);
  } catch {
    return { problems: ['is not a readable X.509 certificate'], cert: null };
  }
  const problems: string[] = [];
  if (!cert.ca) problems.push('is not a CA certificate (basicConstraints CA is not set)');
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    if ((details.modulusLength ?? 0) < MIN_RSA_BITS) problems.push(`has an RSA key of ${details.modulusLength ?? 0} bits; at least ${MIN_RSA_BITS} are required`);
  } else if (key.asymmetricKeyType === 'ec') {
    if (details.namedCurve !== 'prime256v1') problems.push(`has an EC key on ${details.namedCurve ?? 'an unknown curve'}; only P-256 is accepted`);
  } else {
    problems.push(`has a ${key.asymmetricKeyType ?? 'unknown'} key; only RSA (2048 bits or more) and ECDSA P-256 are accepted`);
  }
  if (new Date(cert.validTo).getTime() < now.getTime()) problems.push(`expired on ${new Date(cert.validTo).toISOString()}`);
  return { problems, cert };
}

/** The problems of one CRL entry: PEM text of exactly one X509 CRL that is DER. */
export function checkCrl(entry: unknown): string[] {
  if (typeof entry !== 'string') return ['must be the PEM text of an X.509 CRL'];
  if (holdsPrivateKey(entry)) return ['holds a private key; only CRLs are accepted here (nothing of it was stored)'];
  const found = blocks(entry);
  if (found.length !== 1 || found[0]!.label !== 'X509 CRL') return ['must hold exactly one "X509 CRL" PEM block'];
  try {
    // CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue }
    if (children(parseDer(found[0]!.der), 'crl').length !== 3) return ['is not an X.509 CRL'];
  } catch {
    return ['is not an X.509 CRL'];
  }
  return [];
}
