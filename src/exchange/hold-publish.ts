// For the crash test only (AEO_TEST_HOLD_PUBLISH): hold a publish transaction open after its events
// are written, so a SIGKILL lands inside it every time instead of racing the import.
import { writeFileSync } from 'node:fs';

/** Writes `file` (this process's pid) once the events are written, then never returns. */
export function holdPublish(file: string): () => Promise<void> {
  return async () => {
    writeFileSync(file, String(process.pid));
    // A timer keeps the process alive: an engine with no open handle (PGlite) would otherwise exit.
    await new Promise<never>(() => setInterval(() => undefined, 60_000));
  };
}
