// Producing a detached CMS SignedData (RFC 5652) like `openssl cms -sign -binary -outform DER`:
// used by the sandbox (partner simulators) and by tests. ASN.1 is built with forge.asn1; the
// digest and the signature come from node:crypto so any payload size and RSA/EC keys work.
import { constants, createHash, createPrivateKey, sign } from 'node:crypto';
import { parseCertificatesPem } from './anchors.js';
import { explicit, intNode, nullNode, octetNode, oidNode, parseDer, seq, set, timeNode, toDer, type Asn1 } from './der.js';
import { OID } from './oids.js';
import { readCertFields } from './x509.js';

export interface CmsSigner {
  certPem: string;
  keyPem: string;
  /** Intermediate CA certificates (PEM, one or more per string) to include after the signer. */
  chainPem?: string[];
  /** CRLs (DER) to carry in the SignedData `crls` field. */
  crlsDer?: Buffer[];
}

/** `digest`: the SHA-256 of `content`, when the caller has already computed it (a large list). */
export function signDetachedCms(content: Buffer, signer: CmsSigner, signingTime = new Date(), digest?: Buffer): Buffer {
  const [cert] = parseCertificatesPem(signer.certPem);
  if (!cert) throw new Error('The signer PEM holds no certificate.');
  const key = createPrivateKey(signer.keyPem);
  if (!cert.checkPrivateKey(key)) throw new Error('The signer key does not match the signer certificate.');
  const chain = (signer.chainPem ?? []).flatMap((pem) => parseCertificatesPem(pem));

  const messageDigest = digest ?? createHash('sha256').update(content).digest();
  const attr = (type: string, value: Asn1): Asn1 => seq([oidNode(type), set([value])]);
  // DER orders SET OF by encoding; openssl does the same.
  const signedAttrs = [
    attr(OID.contentType, oidNode(OID.data)),
    attr(OID.signingTime, timeNode(signingTime)),
    attr(OID.messageDigest, octetNode(messageDigest)),
  ].sort((a, b) => Buffer.compare(toDer(a), toDer(b)));

  // RFC 5652 5.4: sign the attributes encoded as a SET; they are stored as [0] IMPLICIT.
  const toBeSigned = toDer(set(signedAttrs));
  let signatureAlgorithm: Asn1;
  let signature: Buffer;
  if (key.asymmetricKeyType === 'rsa') {
    signatureAlgorithm = seq([oidNode(OID.rsaEncryption), nullNode()]);
    signature = sign('sha256', toBeSigned, { key, padding: constants.RSA_PKCS1_PADDING });
  } else if (key.asymmetricKeyType === 'ec') {
    signatureAlgorithm = seq([oidNode(OID.ecdsaWithSha256)]);
    signature = sign('sha256', toBeSigned, { key, dsaEncoding: 'der' });
  } else {
    throw new Error(`Unsupported signer key type: ${key.asymmetricKeyType ?? 'unknown'}.`);
  }

  const fields = readCertFields(cert.raw);
  const signerInfo = seq([
    intNode(1),
    seq([parseDer(fields.issuerDer), parseDer(fields.serialDer)]),
    seq([oidNode(OID.sha256)]),
    explicit(0, signedAttrs), // [0] IMPLICIT SET: same shape as an explicit constructed tag
    signatureAlgorithm,
    octetNode(signature),
  ]);
  const signedData = seq([
    intNode(1),
    set([seq([oidNode(OID.sha256)])]),
    seq([oidNode(OID.data)]), // detached: no eContent
    explicit(0, [cert, ...chain].map((c) => parseDer(c.raw))),
    ...(signer.crlsDer?.length ? [explicit(1, signer.crlsDer.map((der) => parseDer(der)))] : []),
    set([signerInfo]),
  ]);
  return toDer(seq([oidNode(OID.signedData), explicit(0, [signedData])]));
}
