// The OpenAPI 3.1 document of every route, served as it is in docs/openapi.json.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Router } from 'express';
import type { Authenticator } from '../auth.js';

const FILES = ['../../../docs/openapi.json', '../../../../docs/openapi.json'].map((p) => fileURLToPath(new URL(p, import.meta.url)));

function loadDocument(): string {
  for (const file of FILES) {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      // compiled and source layouts differ by one folder
    }
  }
  return JSON.stringify({ openapi: '3.1.0', info: { title: 'aeo-gateway', version: '0' }, paths: {} });
}

/** Any valid token reads it (contract section 2: only health and sandbox routes are open). */
export function openApiRoutes(router: Router, auth: Authenticator): void {
  const document = loadDocument();
  router.get('/openapi.json', auth.requireToken(), (_req, res) => {
    res.type('application/json').send(document);
  });
}
