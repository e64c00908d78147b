// The worked example of docs/partners/onboarding.md as test fixtures: Singapore's JSON format (files in
// docs/partners/examples/sg/, so the docs show exactly what is tested), a CA and signer made by the
// real openssl CLI at run time, and list builders.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { OPENSSL, tempDir } from '../exchange/helpers.js';
import { REPO } from '../support/cli.js';
import { api, type TestGateway } from '../support/gateway.js';

export const EXAMPLE_DIR = path.join(REPO, 'docs/partners/examples/sg');

export const sgManifest = (): Record<string, any> => JSON.parse(readFileSync(path.join(EXAMPLE_DIR, 'manifest.json'), 'utf8'));
export const sgSchema = (): Record<string, any> => JSON.parse(readFileSync(path.join(EXAMPLE_DIR, 'payload.schema.json'), 'utf8'));

export interface OpensslPki {
  dir: string;
  caCertFile: string;
  caPem: string;
  signerCertFile: string;
  signerKeyFile: string;
  remove(): void;
}

/** A CA and a list-signing certificate, both made by `openssl` exactly as the onboarding guide says. */
export function opensslPki(name: string): OpensslPki {
  const { dir, remove } = tempDir(`ossl-${name.toLowerCase()}`);
  const f = (n: string): string => path.join(dir, n);
  const run = (args: string[]): void => void execFileSync(OPENSSL, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '3650', '-subj', `/C=${name}/O=${name} Customs/CN=${name} AEO CA`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('signer.key'), '-out', f('signer.csr'), '-subj', `/C=${name}/O=${name} Customs/CN=${name} AEO list signer`]);
  writeFileSync(f('signer.ext'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n');
  run(['x509', '-req', '-in', f('signer.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '365', '-extfile', f('signer.ext'), '-out', f('signer.pem')]);
  return { dir, caCertFile: f('ca.pem'), caPem: readFileSync(f('ca.pem'), 'utf8'), signerCertFile: f('signer.pem'), signerKeyFile: f('signer.key'), remove };
}

export interface Company {
  uen: string;
  profile: { legalName: string; address?: { street?: string; postalCode?: string } };
  certification: { scheme: string; standing: string; standingSince: string; expires?: string };
}

export function company(uen: string, overrides: Partial<Company['certification']> = {}): Company {
  return {
    uen,
    profile: { legalName: `Company ${uen} Pte Ltd`, address: { street: '1 Harbourfront Ave', postalCode: '098632' } },
    certification: { scheme: 'STP-PLUS', standing: 'IN_GOOD_STANDING', standingSince: '2020-01-15', expires: '2099-12-31', ...overrides },
  };
}

/** `n` companies, the first one SG123456789012 (the code the guide looks up). */
export function companies(n: number): Company[] {
  return Array.from({ length: n }, (_, i) => company(i === 0 ? '123456789012' : String(200000000000 + i)));
}

export function sgList(serial: number, list: readonly Company[], mode: 'COMPLETE' | 'CHANGES' = 'COMPLETE'): Buffer {
  const envelope = { from: 'SG', to: 'CN', serial, mode, issuedAt: '2026-11-20T09:00:00+08:00', total: list.length };
  return Buffer.from(JSON.stringify({ envelope, register: { companies: list } }));
}

/** A version bundle of the example, with a change applied to a copy of the manifest. */
export function sgBundle(pki: OpensslPki, note: string, change: (manifest: Record<string, any>, schema: Record<string, any>) => void = () => undefined) {
  const manifest = sgManifest();
  const schema = sgSchema();
  change(manifest, schema);
  return { note, manifest, payloadSchema: schema, trustAnchors: [pki.caPem] };
}

export const adminPost = (tg: TestGateway, route: string, body: unknown) => api(`${tg.url}${route}`, tg.keys.admin, { method: 'POST', body });

export function dryRunRequest(tg: TestGateway, code: string, version: number, body: Buffer, signature: Buffer | null) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signature) headers['x-aeo-signature'] = signature.toString('base64');
  return api(`${tg.url}/admin/partners/${code}/versions/${version}/dry-run`, tg.keys.admin, { method: 'POST', raw: body, headers });
}
