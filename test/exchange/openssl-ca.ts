// A certificate authority run with the real openssl CLI (`openssl ca`), for revocation tests: it
// issues signer certificates (optionally with a CRL distribution point), revokes them and makes
// CRLs with `openssl ca -gencrl`. Keys are generated at run time in a temporary folder.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { OPENSSL, tempDir, type TestPki } from './helpers.js';

export interface OpensslCa {
  name: string;
  certPem: string;
  /** A signer certificate issued now; `crlUrl` puts a cRLDistributionPoints URI in it. */
  issue(commonName: string, opts?: { crlUrl?: string }): TestPki;
  revoke(signer: TestPki): void;
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
  const file = (f: string): string => path.join(dir, f);
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.pem'), '-subj', subject, '-days', '30',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
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
    revoke(signer) {
      run(['ca', '-config', file('ca.cnf'), '-revoke', signer.signerCertFile]);
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
