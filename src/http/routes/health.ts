// Liveness and readiness; no auth.
import type { Router } from 'express';
import { errorBody } from '../../errors.js';

export interface HealthProbe {
  /** True when the database answers and the lookup index is loaded. */
  ready(): Promise<boolean>;
}

export function healthRoutes(router: Router, probe: HealthProbe): void {
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const ready = await probe.ready().catch(() => false);
    if (ready) res.json({ status: 'ready' });
    else res.status(503).json(errorBody('NOT_READY', 'The service is not ready.'));
  });
}
