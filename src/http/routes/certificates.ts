// GET /admin/certificates (contract 12.4): every certificate the gateway relies on, soonest expiry first.
import type { Router } from 'express';
import type { CertificateEntry } from '../../ops/certificates.js';
import { adminOnly, type Authenticator } from '../auth.js';

export function certificateRoutes(router: Router, auth: Authenticator, list: () => Promise<CertificateEntry[]>): void {
  // Contract: viewer and up. Until the viewer scope exists, the admin guard (admin passes everywhere).
  router.get('/admin/certificates', auth.require(adminOnly), async (_req, res) => {
    res.json({ certificates: await list() });
  });
}
