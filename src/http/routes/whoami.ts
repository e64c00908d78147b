// GET /admin/whoami (contract section 2): any valid token learns its name and configured scopes.
import type { Router } from 'express';
import type { Authenticator } from '../auth.js';

export function whoamiRoutes(router: Router, auth: Authenticator): void {
  router.get('/admin/whoami', auth.requireToken(), (req, res) => {
    res.json({ name: req.principal!.name, scopes: req.principal!.scopes });
  });
}
