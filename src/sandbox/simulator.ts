// Simulated partners (sandbox mode): each has its own CA and signer, generated on first start into
// AEO_DATA_DIR/sandbox (never committed), and a generation counter advanced on request.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createCertificateAuthority, issueSigningCertificate, signDetachedCms, type PemPair } from '../crypto/index.js';
import { dateInZone } from '../domain/dates.js';
import { SANDBOX_PARTNERS, type SandboxPartner } from './population.js';
import { renderSandboxList, sandboxContentType, SANDBOX_SEQUENCE_BASE } from './render.js';

interface PartnerState {
  /** generatedAt of each generation, index = generation. */
  generations: string[];
}

type State = Record<SandboxPartner, PartnerState>;

export interface SandboxList {
  body: Buffer;
  signature: Buffer;
  contentType: string;
  generation: number;
  sequence: number;
  generatedAt: string;
}

const KEY_MODE = 0o600;

export function isSandboxPartner(code: string): code is SandboxPartner {
  return (SANDBOX_PARTNERS as readonly string[]).includes(code);
}

export class SandboxSimulator {
  private readonly cache = new Map<SandboxPartner, SandboxList>();

  private constructor(
    private readonly dir: string,
    private readonly signers: ReadonlyMap<SandboxPartner, PemPair>,
    private state: State,
    private readonly timeZone: string,
    private readonly now: () => Date,
  ) {}

  /** Loads the simulated partners' keys and state from `dataDir/sandbox`, creating them on first start. */
  static open(dataDir: string, timeZone: string, now: () => Date = () => new Date()): SandboxSimulator {
    const dir = path.join(dataDir, 'sandbox');
    mkdirSync(dir, { recursive: true });
    const signers = new Map<SandboxPartner, PemPair>();
    for (const partner of SANDBOX_PARTNERS) signers.set(partner, ensurePki(dir, partner));
    const stateFile = path.join(dir, 'state.json');
    const initial = now().toISOString();
    const state: State = existsSync(stateFile)
      ? (JSON.parse(readFileSync(stateFile, 'utf8')) as State)
      : { EU: { generations: [initial] }, HK: { generations: [initial] }, MO: { generations: [initial] } };
    const sim = new SandboxSimulator(dir, signers, state, timeZone, now);
    sim.save();
    return sim;
  }

  /** The folder holding a simulated partner's CA certificate: trusted for that partner only. */
  anchorDir(partner: SandboxPartner): string {
    return path.join(this.dir, 'anchors', partner.toLowerCase());
  }

  /** The current list, signed; built once per generation. */
  list(partner: SandboxPartner): SandboxList {
    const generation = this.state[partner].generations.length - 1;
    const cached = this.cache.get(partner);
    if (cached?.generation === generation) return cached;
    const generatedAt = this.state[partner].generations[generation]!;
    const generations = this.state[partner].generations;
    const body = renderSandboxList(partner, generation, {
      generatedAt: new Date(generatedAt),
      // Generation g's changes are dated the day it was produced.
      generationDate: (g) => dateInZone(Date.parse(generations[Math.min(g, generation)]!), this.timeZone),
    });
    const list: SandboxList = {
      body,
      signature: signDetachedCms(body, this.signers.get(partner)!),
      contentType: sandboxContentType(partner),
      generation,
      sequence: SANDBOX_SEQUENCE_BASE[partner] + generation,
      generatedAt,
    };
    this.cache.set(partner, list);
    return list;
  }

  /** The sequence number of the current list, without building it. */
  currentSequence(partner: SandboxPartner): number {
    return SANDBOX_SEQUENCE_BASE[partner] + this.state[partner].generations.length - 1;
  }

  /** Signs as the simulated partner (its receipts for our outbound lists). */
  sign(partner: SandboxPartner, content: Buffer): Buffer {
    return signDetachedCms(content, this.signers.get(partner)!);
  }

  /** Makes the partner produce its next list (additions, status changes, removals). */
  advance(partner: SandboxPartner): { partner: string; generation: number; sequence: number; generatedAt: string } {
    const at = this.now().toISOString();
    this.state[partner].generations.push(at);
    this.save();
    const generation = this.state[partner].generations.length - 1;
    return { partner, generation, sequence: SANDBOX_SEQUENCE_BASE[partner] + generation, generatedAt: at };
  }

  private save(): void {
    writeFileSync(path.join(this.dir, 'state.json'), JSON.stringify(this.state, null, 2) + '\n');
  }
}

function pkiFiles(dir: string, partner: SandboxPartner) {
  const pdir = path.join(dir, 'pki', partner.toLowerCase());
  const anchorDir = path.join(dir, 'anchors', partner.toLowerCase());
  return { pdir, anchorDir, signerCert: path.join(pdir, 'signer.pem'), signerKey: path.join(pdir, 'signer.key'), anchor: path.join(anchorDir, 'ca.pem') };
}

const pkiComplete = (dir: string, partner: SandboxPartner): boolean => {
  const f = pkiFiles(dir, partner);
  return existsSync(f.signerCert) && existsSync(f.signerKey) && existsSync(f.anchor);
};

/** How many RSA keys SandboxSimulator.open will generate in `dataDir` (two per partner without its PKI). */
export function simulatorKeysToGenerate(dataDir: string): number {
  return SANDBOX_PARTNERS.filter((p) => !pkiComplete(path.join(dataDir, 'sandbox'), p)).length * 2;
}

/** A CA and a signer per simulated partner; the CA certificate is copied into the partner's anchor folder. */
function ensurePki(dir: string, partner: SandboxPartner): PemPair {
  const { pdir, anchorDir, signerCert, signerKey } = pkiFiles(dir, partner);
  if (!pkiComplete(dir, partner)) {
    mkdirSync(pdir, { recursive: true, mode: 0o700 });
    mkdirSync(anchorDir, { recursive: true });
    const ca = createCertificateAuthority(`Sandbox ${partner} customs CA`);
    const signer = issueSigningCertificate(ca, `Sandbox ${partner} AEO list signer`);
    writeFileSync(path.join(pdir, 'ca.key'), ca.keyPem, { mode: KEY_MODE });
    writeFileSync(path.join(pdir, 'ca.pem'), ca.certPem);
    writeFileSync(signerKey, signer.keyPem, { mode: KEY_MODE });
    writeFileSync(signerCert, signer.certPem);
    writeFileSync(path.join(anchorDir, 'ca.pem'), ca.certPem);
  }
  return { certPem: readFileSync(signerCert, 'utf8'), keyPem: readFileSync(signerKey, 'utf8') };
}
