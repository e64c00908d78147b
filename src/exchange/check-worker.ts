// Worker thread: runs checkMessage off the HTTP event loop, so lookups never wait for a large list.
// It loads the partner catalog itself (compiled validators cannot cross threads) and gets the trust
// anchors as PEM text from the main thread.
import { X509Certificate } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { loadCatalog } from '../catalog/load.js';
import { toTrustAnchor } from '../crypto/index.js';
import { AppError } from '../errors.js';
import { checkMessage, type CheckContext } from './check-message.js';
import type { PartnerRuntime } from './partners.js';

export interface CheckRequest {
  id: number;
  partner: string;
  catalog: { partnersDir: string; schemasDir: string };
  anchorsPem: string[];
  body: Uint8Array;
  signature: Uint8Array | null;
  ctx: CheckContext;
}

export type CheckResponse =
  | { id: number; ok: true; value: Awaited<ReturnType<typeof checkMessage>> }
  | { id: number; ok: false; error: { code: string; message: string; details: unknown } | null; text: string };

let catalog: Promise<Map<string, PartnerRuntime['def']>> | null = null;

async function partnerRuntime(req: CheckRequest): Promise<PartnerRuntime> {
  catalog ??= loadCatalog(req.catalog.partnersDir, req.catalog.schemasDir).then((defs) => new Map(defs.map((d) => [d.code, d])));
  const def = (await catalog).get(req.partner);
  if (!def) throw new AppError('UNKNOWN_PARTNER', `No exchange partner has the code ${req.partner}.`);
  return { def, anchors: req.anchorsPem.map((pem) => toTrustAnchor(new X509Certificate(pem))) };
}

parentPort?.on('message', (req: CheckRequest) => {
  const reply = (msg: CheckResponse): void => parentPort?.postMessage(msg);
  partnerRuntime(req)
    .then((partner) => checkMessage(partner, req.body, req.signature, req.ctx))
    .then(
      (value) => reply({ id: req.id, ok: true, value }),
      (err: unknown) =>
        reply({
          id: req.id,
          ok: false,
          error: err instanceof AppError ? { code: err.code, message: err.message, details: err.details } : null,
          text: err instanceof Error ? err.message : String(err),
        }),
    );
});
