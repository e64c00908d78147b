// Verification of a detached CMS SignedData (RFC 5652) over partner messages (contract 6.2).
// forge.asn1 walks the (small) signature DER; hashing, signature checks and certificate
// chaining use node:crypto, which is fast on large payloads and understands EC keys.
import { X509Certificate, constants, createHash, verify as verifySignature, type KeyObject } from 'node:crypto';
import { AppError, isAppError } from '../errors.js';
import type { TrustAnchor } from './anchors.js';
import { Class, Type, algorithm, children, expectUniversal, isTag, octets, oid, parseDer, primitive, set, time, toDer, type Asn1 } from './der.js';
import { OID } from './oids.js';
import { KEY_USAGE, certFingerprint, formatSubject, isValidAt, readCertFields, stripLeadingZeros, type CertFields } from './x509.js';

export interface VerifiedSignature {
  subject: string;
  /** Lowercase hex SHA-256 of the signer certificate DER. */
  sha256Fingerprint: string;
  signingTime: Date;
  anchorSubject: string;
  /** For the revocation check: the verified path, signer first, ending with the trust anchor (just the signer when it is the anchor), and the CRLs the CMS carries (DER). */
  chain: X509Certificate[];
  embeddedCrls: Buffer[];
}

// Bounds that keep hostile input cheap.
const MAX_SIGNATURE_BYTES = 256 * 1024;
const MAX_CERTIFICATES = 20;
const MAX_PATH_LENGTH = 5; // certificates from signer to anchor, both included
const MAX_ISSUER_CHECKS = 200;
/** How far a signingTime may be ahead of our clock (clocks drift; a list is not signed tomorrow). */
export const SIGNING_TIME_TOLERANCE_MS = 5 * 60_000;

const invalid = (message: string): AppError => new AppError('SIGNATURE_INVALID', message);

interface CertEntry {
  cert: X509Certificate;
  fields: CertFields;
}

interface SignerInfo {
  sid: { issuerDer: Buffer; serial: string } | { subjectKeyId: string };
  digestOid: string;
  signedAttrs: Asn1[] | undefined;
  signatureAlgorithm: { oid: string; params: Asn1 | undefined };
  signature: Buffer;
}

export function verifyDetachedCms(
  content: Buffer,
  signatureDer: Buffer,
  anchors: readonly TrustAnchor[],
  now: Date,
): VerifiedSignature {
  try {
    const { certs, crls, signer } = parseSignedData(signatureDer);
    if (signer.digestOid !== OID.sha256) throw invalid('The signature digest algorithm is not SHA-256.');
    const { signingTime, signedAttrsDer } = checkSignedAttributes(signer, content);
    if (signingTime.getTime() > now.getTime() + SIGNING_TIME_TOLERANCE_MS) {
      throw invalid('The signingTime is later than now (beyond a 5-minute tolerance for clock drift).');
    }
    const signerCert = findSignerCertificate(certs, signer);
    checkSignatureValue(signerCert.cert.publicKey, signer, signedAttrsDer);
    // A CA signs certificates, not lists: its key signing a list means a misused (or stolen) CA key.
    if (signerCert.cert.ca) throw new AppError('SIGNER_UNTRUSTED', 'The signer certificate is a CA certificate (basicConstraints CA:TRUE); lists are signed by end-entity certificates.');
    checkKeyUsage(signerCert.fields);
    const others = certs.filter((c) => c !== signerCert);
    const { anchor, path } = chainToAnchor(signerCert, others, anchors, signingTime, now);
    return {
      subject: formatSubject(signerCert.cert),
      sha256Fingerprint: certFingerprint(signerCert.cert),
      signingTime,
      anchorSubject: anchor.subject,
      chain: path.map((c) => c.cert),
      embeddedCrls: crls,
    };
  } catch (err) {
    if (isAppError(err)) throw err;
    // DerError, X509Certificate parse errors, forge surprises: all mean a malformed signature.
    throw invalid('The signature is not a well-formed CMS SignedData structure.');
  }
}

/** The certificates a CMS signature carries (no check made): what a stored signature was signed with. */
export function signatureCertificates(signatureDer: Buffer): X509Certificate[] {
  return parseSignedData(signatureDer).certs.map((c) => c.cert);
}

/**
 * The http(s) CRL distribution points of the certificates a signature carries (at most 5), read
 * before verification so their CRLs can be got; [] for anything malformed (verification says why).
 */
export function distributionPointsOf(signatureDer: Buffer): string[] {
  try {
    const urls = parseSignedData(signatureDer).certs.flatMap((c) => c.fields.crlDistributionPoints);
    return [...new Set(urls.filter((u) => /^https?:\/\/[\x21-\x7e]{1,2000}$/.test(u)))].slice(0, 5);
  } catch {
    return [];
  }
}

function parseSignedData(der: Buffer): { certs: CertEntry[]; crls: Buffer[]; signer: SignerInfo } {
  if (der.length === 0) throw invalid('The signature is empty.');
  if (der.length > MAX_SIGNATURE_BYTES) throw invalid('The signature is larger than allowed.');
  const [contentType, wrapped] = children(expectUniversal(parseDer(der), Type.SEQUENCE, 'ContentInfo'), 'ContentInfo');
  if (oid(contentType, 'contentType') !== OID.signedData) throw invalid('The signature is not a CMS SignedData.');
  if (!isTag(wrapped, Class.CONTEXT_SPECIFIC, 0)) throw invalid('The signature is not a CMS SignedData.');
  const fields = children(expectUniversal(children(wrapped, 'content')[0], Type.SEQUENCE, 'SignedData'), 'SignedData');

  // version, digestAlgorithms, encapContentInfo, [0] certificates, [1] crls, signerInfos
  const encap = children(expectUniversal(fields[2], Type.SEQUENCE, 'encapContentInfo'), 'encapContentInfo');
  if (oid(encap[0], 'eContentType') !== OID.data) throw invalid('The signed content type is not id-data.');
  if (encap.length > 1) throw invalid('The signature is not detached: it carries the content.');

  const certsNode = fields.find((n, i) => i > 2 && isTag(n, Class.CONTEXT_SPECIFIC, 0));
  const certNodes = certsNode ? children(certsNode, 'certificates').filter((n) => isTag(n, Class.UNIVERSAL, Type.SEQUENCE)) : [];
  if (certNodes.length > MAX_CERTIFICATES) throw invalid('The signature carries too many certificates.');
  const certs = certNodes.map((n) => ({ cert: new X509Certificate(toDer(n)), fields: readCertFields(n) }));
  // [1] crls: RevocationInfoChoices; only plain CertificateLists (SEQUENCE) are used.
  const crlsNode = fields.find((n, i) => i > 2 && isTag(n, Class.CONTEXT_SPECIFIC, 1));
  const crlNodes = crlsNode ? children(crlsNode, 'crls').filter((n) => isTag(n, Class.UNIVERSAL, Type.SEQUENCE)) : [];
  if (crlNodes.length > MAX_CERTIFICATES) throw invalid('The signature carries too many CRLs.');
  const crls = crlNodes.map((n) => toDer(n));

  const signerInfos = children(expectUniversal(fields[fields.length - 1], Type.SET, 'signerInfos'), 'signerInfos');
  if (signerInfos.length === 0) throw invalid('The signature has no signer.');
  if (signerInfos.length > 1) throw invalid('The signature has more than one signer.');
  return { certs, crls, signer: parseSignerInfo(signerInfos[0]) };
}

function parseSignerInfo(node: Asn1 | undefined): SignerInfo {
  const parts = children(expectUniversal(node, Type.SEQUENCE, 'SignerInfo'), 'SignerInfo');
  // version, sid, digestAlgorithm, [0] signedAttrs?, signatureAlgorithm, signature, [1] unsignedAttrs?
  const sidNode = parts[1];
  let sid: SignerInfo['sid'];
  if (isTag(sidNode, Class.CONTEXT_SPECIFIC, 0)) {
    sid = { subjectKeyId: primitive(sidNode, 'subjectKeyIdentifier') };
  } else {
    const [issuer, serial] = children(expectUniversal(sidNode, Type.SEQUENCE, 'issuerAndSerialNumber'), 'issuerAndSerialNumber');
    sid = {
      issuerDer: toDer(expectUniversal(issuer, Type.SEQUENCE, 'issuer')),
      serial: stripLeadingZeros(primitive(expectUniversal(serial, Type.INTEGER, 'serial'), 'serial')),
    };
  }
  let i = 3;
  const attrsNode = parts[i];
  const signedAttrs = isTag(attrsNode, Class.CONTEXT_SPECIFIC, 0) ? children(attrsNode, 'signedAttrs') : undefined;
  if (signedAttrs) i++;
  return {
    sid,
    digestOid: algorithm(parts[2], 'digestAlgorithm').oid,
    signedAttrs,
    signatureAlgorithm: algorithm(parts[i], 'signatureAlgorithm'),
    signature: Buffer.from(octets(expectUniversal(parts[i + 1], Type.OCTETSTRING, 'signature'), 'signature'), 'binary'),
  };
}

/** Checks contentType, messageDigest and signingTime; returns what the signature covers. */
function checkSignedAttributes(signer: SignerInfo, content: Buffer): { signingTime: Date; signedAttrsDer: Buffer } {
  if (!signer.signedAttrs) throw invalid('The signature has no signed attributes.');
  const values = new Map<string, Asn1[][]>();
  for (const attr of signer.signedAttrs) {
    const [type, valueSet] = children(expectUniversal(attr, Type.SEQUENCE, 'attribute'), 'attribute');
    const id = oid(type, 'attribute type');
    const list = values.get(id) ?? [];
    list.push(children(expectUniversal(valueSet, Type.SET, 'attribute values'), 'attribute values'));
    values.set(id, list);
  }
  // The three attributes we rely on must each appear once with one value (RFC 5652 11).
  const single = (id: string, name: string): Asn1 => {
    const found = values.get(id);
    if (!found) throw invalid(`The signed attributes lack ${name}.`);
    const [first] = found;
    if (found.length !== 1 || first?.length !== 1 || !first[0]) throw invalid(`The signed attribute ${name} is repeated or has several values.`);
    return first[0];
  };
  if (oid(single(OID.contentType, 'contentType'), 'contentType') !== OID.data) throw invalid('The signed contentType is not id-data.');
  const digest = single(OID.messageDigest, 'messageDigest');
  const signingTime = time(single(OID.signingTime, 'signingTime'), 'signingTime');

  const expected = Buffer.from(primitive(expectUniversal(digest, Type.OCTETSTRING, 'messageDigest'), 'messageDigest'), 'binary');
  const actual = createHash('sha256').update(content).digest();
  if (!actual.equals(expected)) throw invalid('The message digest does not match the content.');

  // RFC 5652 5.4: the signature covers the attributes DER-encoded as a SET (tag 0x31), not [0].
  return { signingTime, signedAttrsDer: toDer(set(signer.signedAttrs)) };
}

function findSignerCertificate(certs: CertEntry[], signer: SignerInfo): CertEntry {
  const { sid } = signer;
  const found = certs.find((c) =>
    'subjectKeyId' in sid
      ? c.fields.subjectKeyId === sid.subjectKeyId
      : c.fields.serial === sid.serial && c.fields.issuerDer.equals(sid.issuerDer),
  );
  if (!found) throw invalid('The signer certificate is not included in the signature.');
  return found;
}

function checkSignatureValue(key: KeyObject, signer: SignerInfo, data: Buffer): void {
  const alg = signer.signatureAlgorithm.oid;
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  let ok: boolean;
  if (alg === OID.ecdsaWithSha256) {
    if (type !== 'ec' || details.namedCurve !== 'prime256v1') throw invalid('The signer key is not an ECDSA P-256 key.');
    ok = verifySignature('sha256', data, { key, dsaEncoding: 'der' }, signer.signature);
  } else if (alg === OID.rsaEncryption || alg === OID.sha256WithRsa || alg === OID.rsassaPss) {
    if (type !== 'rsa' && type !== 'rsa-pss') throw invalid('The signer key is not an RSA key.');
    if ((details.modulusLength ?? 0) < 2048) throw invalid('The signer RSA key is shorter than 2048 bits.');
    const padding =
      alg === OID.rsassaPss
        ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: pssSaltLength(signer.signatureAlgorithm.params) }
        : { padding: constants.RSA_PKCS1_PADDING };
    if (type === 'rsa-pss' && alg !== OID.rsassaPss) throw invalid('An RSA-PSS key must sign with RSA-PSS.');
    ok = verifySignature('sha256', data, { key, ...padding }, signer.signature);
  } else {
    throw invalid('The signature algorithm is not supported.');
  }
  if (!ok) throw invalid('The signature value does not verify.');
}

/** RSASSA-PSS-params must name SHA-256 and MGF1(SHA-256); returns the salt length. */
function pssSaltLength(params: Asn1 | undefined): number {
  let hash: string | undefined;
  let mgfHash: string | undefined;
  let salt = 20;
  for (const p of params ? children(params, 'RSASSA-PSS-params') : []) {
    const inner = children(p, 'RSASSA-PSS-params')[0];
    if (isTag(p, Class.CONTEXT_SPECIFIC, 0)) hash = algorithm(inner, 'hashAlgorithm').oid;
    if (isTag(p, Class.CONTEXT_SPECIFIC, 1)) {
      const mgf = algorithm(inner, 'maskGenAlgorithm');
      if (mgf.oid === OID.mgf1) mgfHash = algorithm(mgf.params, 'mgf1 hash').oid;
    }
    if (isTag(p, Class.CONTEXT_SPECIFIC, 2)) salt = intValue(inner);
  }
  if (hash !== OID.sha256 || mgfHash !== OID.sha256) throw invalid('RSA-PSS must use SHA-256 and MGF1 with SHA-256.');
  return salt;
}

function intValue(node: Asn1 | undefined): number {
  const bytes = stripLeadingZeros(primitive(expectUniversal(node, Type.INTEGER, 'integer'), 'integer'));
  if (bytes.length > 2) throw invalid('An integer in the signature is out of range.');
  return [...bytes].reduce((n, ch) => n * 256 + ch.charCodeAt(0), 0);
}

function checkKeyUsage(fields: CertFields): void {
  if (fields.keyUsage === undefined) return;
  if ((fields.keyUsage & (KEY_USAGE.digitalSignature | KEY_USAGE.nonRepudiation)) === 0) {
    throw new AppError('SIGNER_UNTRUSTED', 'The signer certificate key usage does not allow digital signatures.');
  }
}

interface TrustedPath {
  path: CertEntry[];
  anchor: TrustAnchor;
}

/**
 * Finds a path signer → CMS intermediates → anchor whose every certificate (anchor included) is
 * valid at signingTime and now. A trusted path with an expired member is SIGNER_EXPIRED, no
 * trusted path at all is SIGNER_UNTRUSTED.
 */
function chainToAnchor(
  signer: CertEntry,
  pool: CertEntry[],
  anchors: readonly TrustAnchor[],
  signingTime: Date,
  now: Date,
): TrustedPath {
  const anchorEntries = anchors.map((anchor) => ({ anchor, entry: { cert: anchor.cert, fields: readCertFields(anchor.cert.raw) } }));
  const budget = { checks: MAX_ISSUER_CHECKS };
  let sawExpired = false;
  for (const found of trustedPaths([signer], pool, anchorEntries, budget)) {
    if (found.path.every((c) => isValidAt(c.fields, signingTime) && isValidAt(c.fields, now))) return found;
    sawExpired = true;
  }
  if (sawExpired) throw new AppError('SIGNER_EXPIRED', 'A certificate of the signer chain is not valid at signing time or now.');
  throw new AppError('SIGNER_UNTRUSTED', 'The signer certificate does not chain to a trust anchor of this partner.');
}

function* trustedPaths(
  path: CertEntry[],
  pool: CertEntry[],
  anchors: { anchor: TrustAnchor; entry: CertEntry }[],
  budget: { checks: number },
): Generator<TrustedPath> {
  const last = path[path.length - 1];
  if (!last) return;
  for (const { anchor, entry } of anchors) {
    // an anchor may be the certificate itself (a pinned signer or intermediate) or its issuer
    if (entry.cert.raw.equals(last.cert.raw)) yield { path, anchor };
    else if (path.length < MAX_PATH_LENGTH && issued(entry.cert, last.cert, budget)) yield { path: [...path, entry], anchor };
  }
  if (path.length >= MAX_PATH_LENGTH - 1) return; // room for this intermediate and an anchor
  for (const candidate of pool) {
    if (path.includes(candidate)) continue;
    if (issued(candidate.cert, last.cert, budget)) yield* trustedPaths([...path, candidate], pool, anchors, budget);
  }
}

/** issuer is a CA whose key signed cert. */
function issued(issuer: X509Certificate, cert: X509Certificate, budget: { checks: number }): boolean {
  if (--budget.checks < 0) throw new AppError('SIGNER_UNTRUSTED', 'The signer certificate chain is too complex to check.');
  if (!issuer.ca || !cert.checkIssued(issuer)) return false;
  try {
    return cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}
