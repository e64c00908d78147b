// A certificate authority run with the real openssl CLI (`openssl ca`), for revocation tests: it
// issues signer certificates (optionally with a CRL distribution point) and intermediate CAs,
// revokes them and makes CRLs with `openssl ca -gencrl`. Keys are generated at run time in a
// temporary folder.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { OPENSSL, tempDir, type TestPki } from './helpers.js';

export interface OpensslCa {
  name: string;
  certPem: string;
  certFile: string;
  /** A signer certificate issued now; `crlUrl` puts a cRLDistributionPoints URI in it. */
  issue(commonName: string, opts?: { crlUrl?: string }): TestPki;
  /** An intermediate CA (CA:TRUE, pathlen 0) this CA issues now; removed with this CA's folder. */
  issueCa(name: string, subject: string): OpensslCa;
  revoke(cert: Pick<TestPki, 'signerCertFile'> | Pick<OpensslCa, 'certFile'>): void;
  /** A CRL (PEM) listing every certificate revoked so far; `lastUpdate`/`nextUpdate` override the dates. */
  gencrl(opts?: { lastUpdate?: Date; nextUpdate?: Date }): string;
  remove(): void;
}

const run = (args: string[]): void => {
  execFileSync(OPENSSL, args, { stdio: ['ignore', 'ignore', 'pipe'] });
};

/** openssl's YYYYMMDDHHMMSSZ */
const asn1Time = (d: Date): string => `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;

export function makeOpensslCa(name: string, subject = `/CN=Test ${name} CRL CA/O=Test customs`): OpensslCa {
  const { dir, remove } = tempDir(`ca-${name.toLowerCase()}`);
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'ca.key'), '-out', path.join(dir, 'ca.pem'), '-subj', subject, '-days', '30',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  return caIn(name, dir, remove);
}

/** A detached CMS signature by the openssl CLI that carries `chain` (intermediate CA files) too. */
export function opensslSignWithChain(body: Buffer, signer: Pick<TestPki, 'signerCertFile' | 'signerKeyFile'>, chain: readonly Pick<OpensslCa, 'certFile'>[]): Buffer {
  const { dir, remove } = tempDir('sign-chain');
  try {
    const input = path.join(dir, 'list.bin');
    const output = path.join(dir, 'list.bin.p7s');
    const certfile = path.join(dir, 'chain.pem');
    writeFileSync(input, body);
    writeFileSync(certfile, chain.map((c) => readFileSync(c.certFile, 'utf8')).join(''));
    run(['cms', '-sign', '-binary', '-outform', 'DER', '-md', 'sha256', '-in', input, '-signer', signer.signerCertFile, '-inkey', signer.signerKeyFile,
      '-certfile', certfile, '-out', output]);
    return readFileSync(output);
  } finally {
    remove();
  }
}

/** The CA whose ca.key and ca.pem are in `dir`. */
function caIn(name: string, dir: string, remove: () => void): OpensslCa {
  const file = (f: string): string => path.join(dir, f);
  writeFileSync(file('index.txt'), '');
  writeFileSync(file('crlnumber'), '01\n');
  writeFileSync(
    file('ca.cnf'),
    ['[ ca ]', 'default_ca = test', '[ test ]', `database = ${file('index.txt')}`, `crlnumber = ${file('crlnumber')}`,
      `certificate = ${file('ca.pem')}`, `private_key = ${file('ca.key')}`, 'default_md = sha256', 'default_crl_days = 7', ''].join('\n'),
  );
  const caPem = readFileSync(file('ca.pem'), 'utf8');
  let n = 0;
  return {
    name,
    certPem: caPem,
    certFile: file('ca.pem'),
    issue(commonName, opts = {}) {
      const id = `signer${++n}`;
      const ext = ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature', ...(opts.crlUrl ? [`crlDistributionPoints=URI:${opts.crlUrl}`] : [])];
      writeFileSync(file(`${id}.ext`), `${ext.join('\n')}\n`);
      run(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', file(`${id}.key`), '-out', file(`${id}.csr`), '-subj', `/CN=${commonName}`]);
      run(['x509', '-req', '-in', file(`${id}.csr`), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-set_serial', String(1000 + n + Math.floor(Math.random() * 1e6)),
        '-days', '20', '-sha256', '-extfile', file(`${id}.ext`), '-out', file(`${id}.pem`)]);
      const certPem = readFileSync(file(`${id}.pem`), 'utf8');
      const keyPem = readFileSync(file(`${id}.key`), 'utf8');
      return {
        name,
        ca: { certPem: caPem, keyPem: '' },
        signer: { certPem, keyPem },
        signerCertFile: file(`${id}.pem`),
        signerKeyFile: file(`${id}.key`),
        signerFingerprint: new X509Certificate(certPem).fingerprint256.replace(/:/g, '').toLowerCase(),
        signerCommonName: commonName,
        remove: () => undefined, // removed with the CA's folder
      };
    },
    issueCa(childName, childSubject) {
      const child = path.join(dir, `ca-${++n}`);
      mkdirSync(child);
      const at = (f: string): string => path.join(child, f);
      writeFileSync(at('ca.ext'), 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n');
      run(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('ca.key'), '-out', at('ca.csr'), '-subj', childSubject]);
      run(['x509', '-req', '-in', at('ca.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-set_serial', String(5000 + n + Math.floor(Math.random() * 1e6)),
        '-days', '25', '-sha256', '-extfile', at('ca.ext'), '-out', at('ca.pem')]);
      return caIn(childName, child, () => undefined);
    },
    revoke(cert) {
      run(['ca', '-config', file('ca.cnf'), '-revoke', 'certFile' in cert ? cert.certFile : cert.signerCertFile]);
    },
    gencrl(opts = {}) {
      const out = file(`crl-${Date.now()}-${Math.random()}.pem`);
      run(['ca', '-config', file('ca.cnf'), '-gencrl', '-out', out,
        ...(opts.lastUpdate ? ['-crl_lastupdate', asn1Time(opts.lastUpdate)] : []),
        ...(opts.nextUpdate ? ['-crl_nextupdate', asn1Time(opts.nextUpdate)] : [])]);
      return readFileSync(out, 'utf8');
    },
    remove,
  };
}
