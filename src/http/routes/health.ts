// Liveness and readiness; no auth.
import type { Router } from 'express';
import { errorBody } from '../../errors.js';

export type DatabaseState = 'up' | 'unavailable';

export interface HealthProbe {
  /** True once the lookup index is loaded: lookups are answered from it, database or not. */
  indexLoaded(): boolean;
  /** Whether the database answers now (a short, bounded probe). */
  database(): Promise<DatabaseState>;
}

export function healthRoutes(router: Router, probe: HealthProbe): void {
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const database = await probe.database().catch((): DatabaseState => 'unavailable');
    // Lookups are served from the index: a database outage does not make the process unready.
    if (!probe.indexLoaded()) {
      // The database state too: "never loaded because the database is away" is what an operator needs to see.
      const message =
        database === 'unavailable'
          ? 'The lookup index was never loaded: the database is unavailable; the gateway keeps trying to connect.'
          : 'The lookup index is not loaded yet.';
      res.status(503).json({ ...errorBody('NOT_READY', message), status: 'not-ready', database });
      return;
    }
    res.json({ status: 'ready', database });
  });
}
