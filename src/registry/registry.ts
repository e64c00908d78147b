// The agreement registry: the project's data file, overlaid by admin revisions kept in the database.
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import * as audit from '../audit/audit-log.js';
import { compileAgreements, type CompiledAgreements } from '../domain/codes.js';
import type { Agreement } from '../domain/types.js';
import { AppError } from '../errors.js';
import { compileSchemaFiles, describeErrors, readJson } from '../json-schema.js';
import type { Db } from '../store/db.js';
import { insertAgreementRevision, latestAgreementRevisions, listAgreementRevisions } from './revisions-repo.js';

export const REGISTRY_CHANNEL = 'aeo_registry';

export interface RegistrySnapshot extends CompiledAgreements {
  readonly agreements: readonly Agreement[];
}

export interface RegistryPaths {
  dataFile: string; // partners/agreements.json
  schemasDir: string;
}

function schemaFiles(schemasDir: string): { file: string[]; one: string[] } {
  const one = path.join(schemasDir, 'agreement.schema.json');
  return { file: [path.join(schemasDir, 'agreements.schema.json'), one], one: [one] };
}

/** Merges file agreements with admin revisions (same id replaces, new id is appended) and compiles them. */
export function buildSnapshot(fileAgreements: readonly Agreement[], revisions: readonly Agreement[]): RegistrySnapshot {
  const byId = new Map(fileAgreements.map((a) => [a.id, a]));
  for (const r of revisions) byId.set(r.id, r);
  const agreements = Object.freeze([...byId.values()]);
  assertNoSharedEconomy(agreements);
  return Object.freeze({ agreements, ...compileAgreements(agreements) });
}

function assertNoSharedEconomy(agreements: readonly Agreement[]): void {
  const owner = new Map<string, string>();
  for (const a of agreements) {
    for (const e of [...a.economies, ...Object.keys(a.economyAliases)]) {
      const other = owner.get(e);
      if (other !== undefined && other !== a.id) {
        throw new AppError('CONFLICT', `Economy ${e} would be covered by two agreements, ${other} and ${a.id}.`);
      }
      owner.set(e, a.id);
    }
  }
}

export class Registry {
  private current: RegistrySnapshot;

  private constructor(
    private readonly db: Db,
    private readonly fileAgreements: readonly Agreement[],
    private readonly validateOne: ValidateFunction<Agreement>,
    private revisions: readonly Agreement[],
  ) {
    this.current = buildSnapshot(fileAgreements, revisions);
  }

  static async open(db: Db, paths: RegistryPaths): Promise<Registry> {
    const schemas = schemaFiles(paths.schemasDir);
    const validateFile = compileSchemaFiles<{ agreements: Agreement[] }>(schemas.file);
    const data = readJson(paths.dataFile);
    if (!validateFile(data)) {
      throw new Error(`${paths.dataFile} is invalid: ${describeErrors(validateFile.errors).join('; ')}`);
    }
    const validateOne = compileSchemaFiles<Agreement>(schemas.one);
    return new Registry(db, data.agreements, validateOne, await latestAgreementRevisions(db));
  }

  /** The current agreements, compiled; replaced as a whole when anything changes. */
  snapshot(): RegistrySnapshot {
    return this.current;
  }

  /** Re-reads admin revisions (after a NOTIFY from another process). */
  async reload(): Promise<void> {
    const revisions = await latestAgreementRevisions(this.db);
    // The safety refresh reloads every 30 s: an unchanged registry keeps its snapshot (and the answer cache).
    if (JSON.stringify(revisions) === JSON.stringify(this.revisions)) return;
    this.current = buildSnapshot(this.fileAgreements, revisions);
    this.revisions = revisions;
  }

  /**
   * Adds or corrects an agreement; validated, stored as a new revision with its audit row (one
   * transaction), published to every process.
   */
  async put(id: string, body: unknown, actor: audit.Actor, note: string | null = null): Promise<{ agreement: Agreement; created: boolean }> {
    if (!this.validateOne(body)) {
      throw new AppError('INVALID_BODY', `The agreement is invalid: ${describeErrors(this.validateOne.errors, 5).join('; ')}.`);
    }
    if (body.id !== id) throw new AppError('INVALID_BODY', `The body's id ${body.id} does not match the path's id ${id}.`);
    if (body.id !== `CN-${body.partner}`) throw new AppError('INVALID_BODY', 'The id must be CN- followed by the partner code.');
    const previous = this.current.byId.get(id)?.agreement ?? null;
    const created = previous === null;
    const revisions = [...this.revisions.filter((a) => a.id !== id), body];
    let next: RegistrySnapshot;
    try {
      next = buildSnapshot(this.fileAgreements, revisions);
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('INVALID_BODY', err instanceof Error ? err.message : 'The declared-code pattern is invalid.');
    }
    await this.db.transaction(async (tx) => {
      await insertAgreementRevision(tx, body, actor.name);
      await audit.record(tx, { actor, action: 'registry.edit', target: id, note, before: previous, after: body });
    });
    this.current = next;
    this.revisions = revisions;
    await this.db.notify(REGISTRY_CHANNEL, id).catch(() => undefined);
    return { agreement: body, created };
  }

  history(id: string): Promise<{ revision: number; recordedAt: string; recordedBy: string; body: Agreement }[]> {
    return listAgreementRevisions(this.db, id);
  }
}
