// Runs checkMessage in one worker thread (compiled builds), or inline where no compiled worker
// exists (tests running the TypeScript sources). Same function either way.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError, ERROR_CATALOGUE, type ErrorCode } from '../errors.js';
import { checkMessage, type CheckContext, type CheckedMessage } from './check-message.js';
import type { OperatorRecord } from '../domain/types.js';
import type { CheckRequest, CheckResponse, ChunkAck, DefinitionSource, WarmRequest } from './check-worker.js';
import type { PartnerRuntime } from './partners.js';

const WORKER_FILE = fileURLToPath(new URL('./check-worker.js', import.meta.url));

export class MessageChecker {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: CheckedMessage | null) => void; reject: (e: unknown) => void; records: OperatorRecord[] }>();

  /** `useWorker` false → checks run on the main thread. */
  constructor(private readonly useWorker: boolean) {}

  /** True when checks run off the main thread. */
  get threaded(): boolean {
    return this.useWorker && import.meta.url.endsWith('.js') && existsSync(WORKER_FILE);
  }

  check(partner: PartnerRuntime, body: Buffer, signature: Buffer | null, ctx: CheckContext): Promise<CheckedMessage> {
    const definition = definitionSource(partner);
    // A definition built in code (no stored version) cannot be sent to the worker: checked here.
    if (!this.threaded || definition === null) return checkMessage(partner, body, signature, ctx);
    const id = this.nextId++;
    const request: CheckRequest = {
      id,
      partner: partner.def.code,
      definition,
      anchorsPem: partner.anchors.map((a) => a.cert.toString()),
      body,
      signature,
      ctx,
    };
    return new Promise<CheckedMessage>((resolve, reject) => {
      this.pending.set(id, { resolve: (v) => (v ? resolve(v) : reject(new Error('the check worker answered nothing'))), reject, records: [] });
      this.ensureWorker().postMessage(request);
    });
  }

  /** Starts the worker and compiles these partners' versions in it now, so the first list does not wait for that. */
  warmUp(partners: readonly PartnerRuntime[]): Promise<void> {
    if (!this.threaded) return Promise.resolve();
    const id = this.nextId++;
    const definitions = partners.map(definitionSource).filter((d): d is DefinitionSource => d !== null);
    const request: WarmRequest = { id, warm: true, definitions };
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve: () => resolve(), reject, records: [] });
      this.ensureWorker().postMessage(request);
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    await w?.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_FILE);
    worker.unref();
    worker.on('message', (msg: CheckResponse) => {
      const waiter = this.pending.get(msg.id);
      if ('chunk' in msg) {
        if (waiter) for (const r of msg.chunk) waiter.records.push(r);
        // The next chunk, in a later turn; acknowledged even unwanted, so the worker never waits for ever.
        worker.postMessage({ ack: msg.id } satisfies ChunkAck);
        return;
      }
      if (!waiter) return;
      this.pending.delete(msg.id);
      if (!msg.ok) waiter.reject(toError(msg));
      else if (msg.value === null) waiter.resolve(null);
      else waiter.resolve({ ...msg.value, list: { ...msg.value.list, records: waiter.records } });
    });
    // A crashed worker fails what it was doing; the next check starts a new one.
    worker.on('error', (err) => this.failAll(err));
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = null;
      this.failAll(new Error('the check worker stopped'));
    });
    this.worker = worker;
    return worker;
  }

  private failAll(err: unknown): void {
    for (const waiter of this.pending.values()) waiter.reject(err);
    this.pending.clear();
  }
}

function definitionSource(partner: PartnerRuntime): DefinitionSource | null {
  const v = partner.version;
  if (!v) return null;
  return { key: `${partner.def.code}@${v.contentSha256}`, code: partner.def.code, manifest: v.bundle.manifest, payloadSchema: v.bundle.payloadSchema };
}

function toError(msg: Extract<CheckResponse, { ok: false }>): Error {
  const e = msg.error;
  if (e && e.code in ERROR_CATALOGUE) return new AppError(e.code as ErrorCode, e.message, e.details);
  return new Error(msg.text);
}
