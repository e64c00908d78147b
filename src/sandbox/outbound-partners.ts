// The simulated partners' side of the outbound exchange (contract 9.7): each verifies our signature
// against the sandbox CN CA and refuses what does not verify. EU answers a push with a signed
// receipt, MO accepts pushes without one, HK pulls with its token and posts a signed receipt.
import { createHash } from 'node:crypto';
import { parseCertificatesPem, toTrustAnchor, verifyDetachedCms } from '../crypto/index.js';
import { SIGNATURE_HEADER } from '../exchange/signature-header.js';
import type { SandboxSimulator } from './simulator.js';

export type Verdict = { ok: true } | { ok: false; message: string };

/** Checks one of our messages as a partner would: signature chaining to our published CA. */
export function verifyOurMessage(body: Buffer, signatureB64: string | undefined, anchorsPem: string): Verdict {
  if (!signatureB64) return { ok: false, message: 'no X-AEO-Signature' };
  try {
    verifyDetachedCms(body, Buffer.from(signatureB64, 'base64'), parseCertificatesPem(anchorsPem).map(toTrustAnchor), new Date());
    return { ok: true };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : 'signature check failed' };
  }
}

/** The signed receipt a simulated partner gives for a message it accepted. */
export function sandboxReceipt(sim: SandboxSimulator, partner: 'EU' | 'HK', batchId: string, sequence: number, body: Buffer): { body: Buffer; signature: Buffer } {
  const receipt = Buffer.from(
    JSON.stringify({ batchId, sequence, contentSha256: createHash('sha256').update(body).digest('hex'), outcome: 'ACCEPTED', receivedAt: new Date().toISOString(), problems: [] }),
  );
  return { body: receipt, signature: sim.sign(partner, receipt) };
}

/** HK pulls every message after the last one it took, verifies it, and posts a signed receipt. */
export class SandboxHkPuller {
  private lastSeen = 0;

  constructor(private readonly opts: { sim: SandboxSimulator; baseUrl: () => string; token: string; anchorsPem: string }) {}

  async pull(): Promise<number> {
    const { baseUrl, token } = this.opts;
    const auth = { authorization: `Bearer ${token}` };
    let taken = 0;
    for (;;) {
      const res = await fetch(`${baseUrl()}/exchange/v1/outbound/HK/messages?after=${this.lastSeen}`, { headers: auth });
      if (!res.ok) return taken;
      const list = (await res.json()) as { messages: { sequence: number; batchId: string }[]; more: boolean };
      for (const m of list.messages) {
        const msg = await fetch(`${baseUrl()}/exchange/v1/outbound/HK/messages/${m.sequence}`, { headers: auth });
        this.lastSeen = m.sequence;
        if (!msg.ok) continue;
        const body = Buffer.from(await msg.arrayBuffer());
        if (!verifyOurMessage(body, msg.headers.get(SIGNATURE_HEADER) ?? undefined, this.opts.anchorsPem).ok) continue; // HK refuses it: no receipt
        const receipt = sandboxReceipt(this.opts.sim, 'HK', m.batchId, m.sequence, body);
        await fetch(`${baseUrl()}/exchange/v1/outbound/HK/receipts`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json', [SIGNATURE_HEADER]: receipt.signature.toString('base64') },
          body: receipt.body,
        });
        taken++;
      }
      if (!list.more) return taken;
    }
  }
}
