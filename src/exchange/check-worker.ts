// Worker thread: runs checkMessage off the HTTP event loop, so lookups never wait for a large list.
// It loads the partner catalog itself (compiled validators cannot cross threads) and gets the trust
// anchors as PEM text from the main thread.
import { X509Certificate } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { loadCatalog } from '../catalog/load.js';
import { toTrustAnchor } from '../crypto/index.js';
import { AppError } from '../errors.js';
import { checkMessage, type CheckContext } from './check-message.js';
import type { OperatorRecord } from '../domain/types.js';
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

/** Loads the catalog ahead of the first list (schema compilation takes a while). */
export interface WarmRequest {
  id: number;
  warm: true;
  catalog: CheckRequest['catalog'];
}

/** Records come in chunks ahead of the final answer: each chunk is deserialised in its own event-loop turn. */
export const RECORD_CHUNK = 5_000;

export type CheckResponse =
  | { id: number; chunk: OperatorRecord[] }
  | { id: number; ok: true; value: Awaited<ReturnType<typeof checkMessage>> | null } // null: warmed up
  | { id: number; ok: false; error: { code: string; message: string; details: unknown } | null; text: string };

let catalog: Promise<Map<string, PartnerRuntime['def']>> | null = null;

function loadDefinitions(dirs: CheckRequest['catalog']): Promise<Map<string, PartnerRuntime['def']>> {
  catalog ??= loadCatalog(dirs.partnersDir, dirs.schemasDir).then((defs) => new Map(defs.map((d) => [d.code, d])));
  return catalog;
}

async function partnerRuntime(req: CheckRequest): Promise<PartnerRuntime> {
  const def = (await loadDefinitions(req.catalog)).get(req.partner);
  if (!def) throw new AppError('UNKNOWN_PARTNER', `No exchange partner has the code ${req.partner}.`);
  // CRLs come in the request's context (CheckContext.crls), with their sources.
  return { def, anchors: req.anchorsPem.map((pem) => toTrustAnchor(new X509Certificate(pem))), crls: [] };
}

function sendInChunks(id: number, value: Awaited<ReturnType<typeof checkMessage>>): CheckResponse {
  const { records } = value.list;
  for (let start = 0; start < records.length; start += RECORD_CHUNK) {
    parentPort?.postMessage({ id, chunk: records.slice(start, start + RECORD_CHUNK) } satisfies CheckResponse);
  }
  return { id, ok: true, value: { ...value, list: { ...value.list, records: [] } } };
}

parentPort?.on('message', (req: CheckRequest | WarmRequest) => {
  const reply = (msg: CheckResponse): void => parentPort?.postMessage(msg);
  const work =
    'warm' in req
      ? loadDefinitions(req.catalog).then((): CheckResponse => ({ id: req.id, ok: true, value: null }))
      : partnerRuntime(req)
          .then((partner) => checkMessage(partner, req.body, req.signature, req.ctx))
          .then((value) => sendInChunks(req.id, value));
  work.then(
      (response) => reply(response),
      (err: unknown) =>
        reply({
          id: req.id,
          ok: false,
          error: err instanceof AppError ? { code: err.code, message: err.message, details: err.details } : null,
          text: err instanceof Error ? err.message : String(err),
        }),
    );
});
