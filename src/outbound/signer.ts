// Our own signing key for outbound lists (contract 9.3): AEO_SIGNING_KEY_FILE / AEO_SIGNING_CERT_FILE
// (RSA ≥ 2048 or EC P-256), or in sandbox mode a CN CA and signer generated at first start into
// AEO_DATA_DIR/outbound-pki. Bad files stop the start: ConfigError names what is wrong.
import type { X509Certificate} from 'node:crypto';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config.js';
import { certFingerprint, createCertificateAuthority, formatSubject, issueSigningCertificate, loadTrustAnchors, parseCertificatesPem, signDetachedCms, type CmsSigner } from '../crypto/index.js';

export interface OutboundSigner {
  /** A detached CMS signature of `content`; `sha256` is its digest when the caller already has it. */
  sign(content: Buffer, sha256?: Buffer): Buffer;
  /** Subject and fingerprint of the signer certificate (kept with every batch). */
  readonly info: { subject: string; sha256Fingerprint: string };
  /** What partners verify us against: GET /exchange/v1/outbound/trust-anchors. */
  readonly anchorsPem: string;
  readonly notAfter: Date;
}

const toPem = (c: X509Certificate): string => c.toString();

function keyProblem(key: KeyObject): string | null {
  const d = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa') return (d?.modulusLength ?? 0) >= 2048 ? null : `is an RSA key of ${d?.modulusLength ?? '?'} bits; at least 2048 are required`;
  if (key.asymmetricKeyType === 'ec') return d?.namedCurve === 'prime256v1' ? null : `is an EC key on ${d?.namedCurve ?? '?'}; only P-256 is accepted`;
  return `is a ${key.asymmetricKeyType ?? 'unknown'} key; RSA ≥ 2048 or EC P-256 is required`;
}

/** Reads and checks a key/certificate pair; every problem named. `extraAnchorsDir`: more CA certificates to publish. */
export function loadSignerFiles(keyFile: string, certFile: string, extraAnchorsDir: string | null, now = new Date()): OutboundSigner {
  const problems: string[] = [];
  let key: KeyObject | null = null;
  let certs: X509Certificate[] = [];
  try {
    key = createPrivateKey(readFileSync(keyFile, 'utf8'));
    const p = keyProblem(key);
    if (p) problems.push(`AEO_SIGNING_KEY_FILE ${keyFile} ${p}`);
  } catch {
    problems.push(`AEO_SIGNING_KEY_FILE ${keyFile} ${existsSync(keyFile) ? 'is not a readable private key (PEM, unencrypted)' : 'does not exist'}`);
  }
  try {
    certs = parseCertificatesPem(readFileSync(certFile, 'utf8'));
    if (certs.length === 0) problems.push(`AEO_SIGNING_CERT_FILE ${certFile} holds no certificate`);
  } catch (err) {
    problems.push(`AEO_SIGNING_CERT_FILE ${certFile} ${existsSync(certFile) ? `cannot be read: ${(err as Error).message}` : 'does not exist'}`);
  }
  const cert = certs[0];
  if (cert && key && !cert.checkPrivateKey(key)) problems.push('AEO_SIGNING_KEY_FILE does not match the certificate of AEO_SIGNING_CERT_FILE');
  if (cert && (Date.parse(cert.validTo) < now.getTime() || Date.parse(cert.validFrom) > now.getTime())) {
    problems.push(`AEO_SIGNING_CERT_FILE ${certFile} is not valid now (valid ${cert.validFrom} to ${cert.validTo})`);
  }
  if (problems.length > 0 || !cert) throw new ConfigError(problems);
  const chain = certs.slice(1);
  const extra = extraAnchorsDir ? loadTrustAnchors(extraAnchorsDir).map((a) => a.cert) : [];
  const cas = [...chain.filter((c) => c.ca), ...extra];
  const signer: CmsSigner = { certPem: toPem(cert), keyPem: readFileSync(keyFile, 'utf8'), chainPem: chain.map(toPem) };
  return {
    sign: (content, sha256) => signDetachedCms(content, signer, new Date(), sha256),
    info: { subject: formatSubject(cert), sha256Fingerprint: certFingerprint(cert) },
    // A self-signed or pinned signer without a CA file: the certificate itself is the anchor.
    anchorsPem: (cas.length > 0 ? cas : [cert]).map(toPem).join(''),
    notAfter: new Date(cert.validTo),
  };
}

/** A CN CA and signer in `dir` (created on first use, reused after); returns the file paths. */
const generatedFiles = (dir: string) => ({ keyFile: path.join(dir, 'signer.key'), certFile: path.join(dir, 'signer.pem'), caFile: path.join(dir, 'ca', 'cn-ca.pem') });
const generatedComplete = (dir: string): boolean => Object.values(generatedFiles(dir)).every((f) => existsSync(f));

export function ensureGeneratedSigner(dir: string): { keyFile: string; certFile: string; caFile: string } {
  const { keyFile, certFile, caFile } = generatedFiles(dir);
  if (!generatedComplete(dir)) {
    mkdirSync(path.join(dir, 'ca'), { recursive: true, mode: 0o700 });
    const ca = createCertificateAuthority('Sandbox CN customs (GACC) CA');
    const signer = issueSigningCertificate(ca, 'Sandbox CN AEO list signer');
    writeFileSync(path.join(dir, 'ca.key'), ca.keyPem, { mode: 0o600 });
    writeFileSync(caFile, ca.certPem);
    writeFileSync(keyFile, signer.keyPem, { mode: 0o600 });
    // signer then its CA, as a production chain file would be
    writeFileSync(certFile, signer.certPem + ca.certPem);
  }
  return { keyFile, certFile, caFile };
}

type SignerConfig = { sandbox: boolean; dataDir: string; certsDir: string; signingKeyFile: string | null; signingCertFile: string | null };

/** True when openOutboundSigner will use (and on first start generate) the sandbox's own keys. */
export function usesGeneratedSigner(cfg: SignerConfig): boolean {
  return cfg.sandbox && (cfg.signingKeyFile === null || cfg.signingCertFile === null);
}

/** How many RSA keys openOutboundSigner will generate (a CA and a signer, once). */
export function signerKeysToGenerate(cfg: SignerConfig): number {
  if (!usesGeneratedSigner(cfg)) return 0;
  return generatedComplete(path.join(cfg.dataDir, 'outbound-pki')) ? 0 : 2;
}

/** The signer the gateway uses: configured files, or (sandbox only) generated ones. */
export function openOutboundSigner(cfg: SignerConfig): OutboundSigner {
  const cnAnchors = path.join(cfg.certsDir, 'cn');
  if (cfg.signingKeyFile !== null && cfg.signingCertFile !== null) return loadSignerFiles(cfg.signingKeyFile, cfg.signingCertFile, cnAnchors);
  if (!cfg.sandbox) {
    throw new ConfigError(['AEO_SIGNING_KEY_FILE and AEO_SIGNING_CERT_FILE are required outside sandbox mode: outbound lists are signed with our own key (RSA ≥ 2048 or EC P-256)']);
  }
  const files = ensureGeneratedSigner(path.join(cfg.dataDir, 'outbound-pki'));
  return loadSignerFiles(files.keyFile, files.certFile, null);
}
