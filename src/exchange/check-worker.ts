// Worker thread: runs checkMessage off the HTTP event loop, so lookups never wait for a large list.
// Compiled validators cannot cross threads: it compiles each partner version it is sent (kept by
// content SHA-256), and gets the trust anchors as PEM text from the main thread.
import { X509Certificate } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { compileBundle } from '../catalog/bundle.js';
import { toTrustAnchor } from '../crypto/index.js';
import { AppError } from '../errors.js';
import { checkMessage, type CheckContext } from './check-message.js';
import type { OperatorRecord } from '../domain/types.js';
import type { PartnerRuntime } from './partners.js';

export interface CheckRequest {
  id: number;
  partner: string;
  definition: DefinitionSource;
  anchorsPem: string[];
  body: Uint8Array;
  signature: Uint8Array | null;
  ctx: CheckContext;
}

/** A partner version as the worker compiles it: `key` names the version (code and content SHA-256). */
export interface DefinitionSource {
  key: string;
  code: string;
  manifest: Record<string, unknown>;
  payloadSchema: Record<string, unknown>;
}

/** Compiles the active versions ahead of the first list (schema compilation takes a while). */
export interface WarmRequest {
  id: number;
  warm: true;
  definitions: DefinitionSource[];
}

/**
 * Records come in chunks ahead of the final answer, each sent once the main thread acknowledged the
 * one before: queued messages are all deserialised in one event-loop turn, so without the wait the
 * whole list would be one long stall there.
 */
export const RECORD_CHUNK = 2_000;

/** The main thread took chunk(s) of request `ack`: the next may come. */
export interface ChunkAck {
  ack: number;
}

export type CheckResponse =
  | { id: number; chunk: OperatorRecord[] }
  | { id: number; ok: true; value: Awaited<ReturnType<typeof checkMessage>> | null } // null: warmed up
  | { id: number; ok: false; error: { code: string; message: string; details: unknown } | null; text: string };

const definitions = new Map<string, PartnerRuntime['def']>();
const MAX_DEFINITIONS = 64; // versions in use at once are few; old ones go first

function definitionOf(source: DefinitionSource): PartnerRuntime['def'] {
  let def = definitions.get(source.key);
  if (!def) {
    def = compileBundle(source.code, { manifest: source.manifest, payloadSchema: source.payloadSchema, trustAnchors: [], crls: [] }, source.key);
    if (definitions.size >= MAX_DEFINITIONS) definitions.delete(definitions.keys().next().value!);
    definitions.set(source.key, def);
  }
  return def;
}

async function partnerRuntime(req: CheckRequest): Promise<PartnerRuntime> {
  if (req.definition.code !== req.partner) throw new AppError('UNKNOWN_PARTNER', `No exchange partner has the code ${req.partner}.`);
  return Promise.resolve({ def: definitionOf(req.definition), anchors: req.anchorsPem.map((pem) => toTrustAnchor(new X509Certificate(pem))), crls: [] });
  // CRLs come in the request's context (CheckContext.crls), with their sources.
}

const acks = new Map<number, () => void>();

async function sendInChunks(id: number, value: Awaited<ReturnType<typeof checkMessage>>): Promise<CheckResponse> {
  const { records } = value.list;
  for (let start = 0; start < records.length; start += RECORD_CHUNK) {
    const taken = new Promise<void>((resolve) => acks.set(id, resolve));
    parentPort?.postMessage({ id, chunk: records.slice(start, start + RECORD_CHUNK) } satisfies CheckResponse);
    await taken;
  }
  acks.delete(id);
  return { id, ok: true, value: { ...value, list: { ...value.list, records: [] } } };
}

parentPort?.on('message', (req: CheckRequest | WarmRequest | ChunkAck) => {
  if ('ack' in req) {
    acks.get(req.ack)?.();
    return;
  }
  const reply = (msg: CheckResponse): void => parentPort?.postMessage(msg);
  const work =
    'warm' in req
      ? Promise.resolve().then((): CheckResponse => {
          for (const d of req.definitions) definitionOf(d);
          return { id: req.id, ok: true, value: null };
        })
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
