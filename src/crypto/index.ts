// Public API of the crypto module: detached CMS verify/sign, trust anchors, sandbox PKI.
export { distributionPointsOf, signatureCertificates, verifyDetachedCms, type VerifiedSignature } from './cms-verify.js';
export { crlsToDer, parseCrl, type Crl } from './crl.js';
export { signDetachedCms, type CmsSigner } from './cms-sign.js';
export { loadTrustAnchors, parseCertificatesPem, toTrustAnchor, type TrustAnchor } from './anchors.js';
export { createCertificateAuthority, issueSigningCertificate, prepareRsaKeys, type PemPair, type ValidityOptions } from './sandbox-pki.js';
export { certFingerprint, formatName, formatSubject } from './x509.js';
