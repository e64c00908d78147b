// Per-record findings (contract section 5 `problems`): what validation and mapping report.
import { AppError } from '../errors.js';

/** One finding: `record` is the index in the list's records (null for the header/envelope), `path` a JSON pointer. */
export interface Problem {
  record: number | null;
  path: string;
  message: string;
}

/** The contract keeps the first 100 findings; collecting more only costs time and memory. */
export const MAX_PROBLEMS = 100;

/** Paths can carry partner-chosen key names; keep them bounded. */
const MAX_PATH_LENGTH = 256;

/** An append-only list that silently stops at MAX_PROBLEMS. */
export class ProblemList {
  readonly items: Problem[] = [];

  get full(): boolean {
    return this.items.length >= MAX_PROBLEMS;
  }

  add(record: number | null, path: string, message: string): void {
    if (this.full) return;
    const safePath = path.length > MAX_PATH_LENGTH ? `${path.slice(0, MAX_PATH_LENGTH)}…` : path;
    this.items.push({ record, path: safePath, message });
  }
}

/** The error a pipeline stage throws when a message has findings. */
export function schemaInvalid(problems: readonly Problem[], received?: number): AppError {
  const message =
    problems.length === 1
      ? 'The message has 1 problem against the partner schema or mapping.'
      : `The message has ${problems.length >= MAX_PROBLEMS ? `at least ${MAX_PROBLEMS}` : problems.length} problems against the partner schema or mapping.`;
  return new AppError('SCHEMA_INVALID', message, { problems, received });
}
