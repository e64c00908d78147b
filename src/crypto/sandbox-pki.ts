// Throw-away PKI for the sandbox and tests: keys and certificates are generated at run time and
// never committed. node:crypto generates the RSA keys (much faster than forge); forge builds
// and signs the certificates.
import { generateKeyPair, generateKeyPairSync, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

export interface PemPair {
  certPem: string;
  /** PKCS#8, PEM-encoded. */
  keyPem: string;
}

export interface ValidityOptions {
  notBefore?: Date;
  notAfter?: Date;
}

const HOUR = 3_600_000;
const YEAR = 365 * 24 * HOUR;

/** A self-signed RSA 2048 root CA; default validity 10 years from one hour ago. */
export function createCertificateAuthority(commonName: string, opts: ValidityOptions = {}): PemPair {
  const { keys, keyPem } = rsaKeyPair();
  const cert = baseCertificate(keys.publicKey, commonName, opts, 10 * YEAR);
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

/**
 * An RSA 2048 end-entity certificate issued by `ca` (a CA from createCertificateAuthority);
 * default validity 2 years from one hour ago, key usage digitalSignature + nonRepudiation.
 * `keyUsage: 'keyEncipherment'` makes a certificate that must not be accepted for signing.
 */
export function issueSigningCertificate(
  ca: PemPair,
  commonName: string,
  opts: ValidityOptions & { keyUsage?: 'digitalSignature' | 'keyEncipherment' } = {},
): PemPair {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const { keys, keyPem } = rsaKeyPair();
  const cert = baseCertificate(keys.publicKey, commonName, opts, 2 * YEAR);
  cert.setIssuer(caCert.subject.attributes);
  const usage =
    opts.keyUsage === 'keyEncipherment'
      ? { keyEncipherment: true }
      : { digitalSignature: true, nonRepudiation: true };
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', critical: true, ...usage },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

const RSA_OPTIONS = {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
} as const;
const generateKeyPairAsync = promisify(generateKeyPair);
/** Keys made ahead by prepareRsaKeys, taken before generating one on the spot. */
const prepared: { publicKey: string; privateKey: string }[] = [];

/**
 * Generates `count` RSA keys on libuv's thread pool, for the certificates made next. A sandbox's first
 * start needs eight (about 0.2 s each); made this way they are ready while the database is created.
 */
export async function prepareRsaKeys(count: number): Promise<void> {
  const keys = await Promise.all(Array.from({ length: count }, () => generateKeyPairAsync('rsa', RSA_OPTIONS)));
  prepared.push(...keys);
}

function rsaKeyPair(): { keys: forge.pki.rsa.KeyPair; keyPem: string } {
  const { publicKey, privateKey } = prepared.pop() ?? generateKeyPairSync('rsa', RSA_OPTIONS);
  const keys = {
    publicKey: forge.pki.publicKeyFromPem(publicKey),
    privateKey: forge.pki.privateKeyFromPem(privateKey),
  };
  return { keys, keyPem: privateKey };
}

function baseCertificate(
  publicKey: forge.pki.rsa.PublicKey,
  commonName: string,
  opts: ValidityOptions,
  defaultLifetime: number,
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // random positive serial; the top bits are fixed so the DER INTEGER is 16 octets, no padding
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40;
  cert.serialNumber = serial.toString('hex');
  const notBefore = opts.notBefore ?? new Date(Date.now() - HOUR);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = opts.notAfter ?? new Date(notBefore.getTime() + defaultLifetime);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  return cert;
}
