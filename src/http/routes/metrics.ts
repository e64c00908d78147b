// GET /metrics (contract 12.2): Prometheus text format; scopes metrics and admin.
import type { Router } from 'express';
import type { Scope } from '../../config.js';
import type { GatewayMetrics } from '../../metrics/gateway-metrics.js';
import type { Authenticator } from '../auth.js';

export const metricsScope = (scope: Scope): boolean => scope === 'metrics';

export function metricsRoutes(router: Router, auth: Authenticator, metrics: GatewayMetrics): void {
  router.get('/metrics', auth.require(metricsScope), async (_req, res) => {
    const body = await metrics.scrape();
    res.set('cache-control', 'no-store').type(metrics.contentType).send(body);
  });
}
