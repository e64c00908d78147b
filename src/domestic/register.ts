// The domestic register service: imports (all or nothing, guarded, one at a time across processes),
// review of held imports, and reads. Every import is a run in domestic_imports. An admin's import or
// review (HTTP, CLI) writes its DONE audit row (contract 12.3) in the transaction that records its
// outcome; a scheduled pull or the sandbox's seed gives no `audit` and writes none.
import { createHash, randomUUID } from 'node:crypto';
import * as audit from '../audit/audit-log.js';
import { AppError } from '../errors.js';
import type { Db, Queryable } from '../store/db.js';
import { parseCsv, CsvError } from './csv.js';
import { diffRegister, guardImport, type RegisterCounts } from './diff.js';
import { RegisterCache } from './register-cache.js';
import {
  appendEvents, failInterruptedImports, finishImport, getImport, insertImport, reviewImport, takePending, type ImportOutcome, type ImportRun,
} from './repo.js';
import { parseEnterprises } from './validate.js';
import type { Enterprise, ImportKind } from './types.js';

const REGISTER_LOCK = createHash('sha256').update('aeo-domestic-register').digest().readInt32BE(0);

export interface ImportOptions {
  /** Hears the stage names as they start (the CLI's progress bar). */
  stage?: (name: string) => void;
  /** An admin action: its DONE row commits with the import's outcome. Left out for a scheduled pull. */
  audit?: audit.ActedBy;
}

export interface ImportInput {
  kind: ImportKind;
  /** Raw records (CSV rows as objects, or the JSON `enterprises`). */
  records: readonly unknown[];
}

/** A request body (CSV text or our JSON) → an import; a body we cannot read at all is a coded 400. */
export function readImportBody(contentType: string, body: Buffer, csvKind: string | undefined): ImportInput {
  if (contentType === 'text/csv') {
    const kind = csvKind ?? 'FULL';
    if (kind !== 'FULL' && kind !== 'DELTA') throw new AppError('BAD_REQUEST', 'kind is FULL or DELTA.');
    try {
      return { kind, records: parseCsv(new TextDecoder('utf-8', { fatal: true }).decode(body)) };
    } catch (err) {
      if (err instanceof CsvError) throw new AppError('INVALID_BODY', err.message);
      throw new AppError('INVALID_BODY', 'The CSV is not valid UTF-8.');
    }
  }
  if (contentType === 'application/json') {
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new AppError('MALFORMED_JSON');
    }
    const o = json as { kind?: unknown; enterprises?: unknown };
    if (json === null || typeof json !== 'object' || (o.kind !== 'FULL' && o.kind !== 'DELTA') || !Array.isArray(o.enterprises)) {
      throw new AppError('INVALID_BODY', 'The body is { "kind": "FULL" | "DELTA", "enterprises": [...] }.');
    }
    return { kind: o.kind, records: o.enterprises as unknown[] };
  }
  throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the register as text/csv or application/json.');
}

export class DomesticRegister {
  /** The register in memory (shared with the outbound builder). */
  readonly cache = new RegisterCache();

  constructor(
    private readonly db: Db,
    private readonly onChanged: () => void = () => undefined,
  ) {}

  async recoverInterrupted(): Promise<void> {
    await this.db.tryWithLock(REGISTER_LOCK, () => failInterruptedImports(this.db));
  }

  /** An import, all or nothing; with `options.audit`, its DONE row commits with its outcome. */
  async import(input: ImportInput, trigger: string, actor: string, options: ImportOptions = {}): Promise<ImportRun> {
    const stage = options.stage ?? (() => undefined);
    const id = randomUUID();
    const recordDone = (tx: Queryable, outcome: ImportOutcome, counts: RegisterCounts): Promise<void> =>
      audit.recordDone(tx, options.audit, 'domestic.import', id, () => ({ outcome, counts }));
    stage('checking records');
    await insertImport(this.db, { id, kind: input.kind, trigger, actor, startedAt: new Date() });
    const parsed = parseEnterprises(input.records);
    if (parsed.invalid > 0) {
      const counts = { received: input.records.length, added: 0, changed: 0, removed: 0, unchanged: 0, invalid: parsed.invalid };
      await this.db.transaction(async (tx) => {
        await finishImport(tx, id, { outcome: 'REJECTED', reason: 'SCHEMA_INVALID', counts, problems: parsed.problems });
        await recordDone(tx, 'REJECTED', counts);
      });
      return (await getImport(this.db, id))!;
    }
    stage('comparing and applying');
    await this.db.withLock(REGISTER_LOCK, () =>
      this.db.transaction(async (tx) => {
        // Read before this import appends (the cache must never hold what may still roll back).
        const diff = diffRegister(input.kind, await this.cache.read(tx), parsed.enterprises);
        const held = guardImport(input.kind, diff);
        if (held) {
          await finishImport(tx, id, { outcome: 'QUARANTINED', reason: held.reason, counts: diff.counts, problems: [], pending: parsed.enterprises });
          await recordDone(tx, 'QUARANTINED', diff.counts);
          return;
        }
        const changed = diff.upserts.length + diff.removals.length > 0;
        const outcome = changed ? 'APPLIED' : 'NO_CHANGE';
        const at = new Date();
        await appendEvents(tx, diff.upserts, false, id, at);
        await appendEvents(tx, diff.removals, true, id, at);
        await finishImport(tx, id, { outcome, reason: null, counts: diff.counts, problems: [] });
        await recordDone(tx, outcome, diff.counts);
      }),
    );
    const run = (await getImport(this.db, id))!;
    if (run.outcome === 'APPLIED') this.onChanged();
    return run;
  }

  /** An import that got no records (a pull whose fetch or body failed): recorded FAILED with the reason. */
  async recordFailure(trigger: string, actor: string, startedAt: Date, error: AppError): Promise<ImportRun> {
    const id = randomUUID();
    await insertImport(this.db, { id, kind: 'FULL', trigger, actor, startedAt });
    await finishImport(this.db, id, { outcome: 'FAILED', reason: error.code, counts: null, problems: [{ record: -1, path: '', message: error.message }] });
    return (await getImport(this.db, id))!;
  }

  /** Approve (apply as it stands now) or reject a held import; anything else is 409. */
  /** With `auditedBy` (the HTTP route), the DONE row commits with the review. */
  async review(id: string, decision: 'approved' | 'rejected', by: string, auditedBy?: audit.ActedBy): Promise<ImportRun> {
    if (!(await getImport(this.db, id))) throw new AppError('NOT_FOUND', 'No domestic import has this id.');
    const applied = await this.db.withLock(REGISTER_LOCK, () =>
      this.db.transaction(async (tx) => {
        const pending = await takePending(tx, id);
        if (!pending) throw new AppError('CONFLICT', 'Only a held import that has not been reviewed can be approved or rejected.');
        const review = { decision, by, at: new Date().toISOString() };
        const recordDone = (outcome: ImportOutcome): Promise<void> =>
          audit.recordDone(tx, auditedBy, 'domestic.import', id, () => ({ decision: decision === 'approved' ? 'approve' : 'reject', outcome }));
        if (decision === 'rejected') {
          await reviewImport(tx, id, review, 'REJECTED', null);
          await recordDone('REJECTED');
          return false;
        }
        const diff = diffRegister(pending.kind, await this.cache.read(tx), pending.enterprises);
        const at = new Date();
        await appendEvents(tx, diff.upserts, false, id, at);
        await appendEvents(tx, diff.removals, true, id, at);
        await reviewImport(tx, id, review, 'APPLIED', diff.counts);
        await recordDone('APPLIED');
        return true;
      }),
    );
    if (applied) this.onChanged();
    return (await getImport(this.db, id))!;
  }

  /** The register now, by customs code: shared, so read it before the next await and never change it. */
  async current(): Promise<ReadonlyMap<string, Enterprise>> {
    return this.cache.read(this.db);
  }
}
