// Agreement registry routes (contract section 3) and the admin correction route.
import express, { type Router } from 'express';
import type { Logger } from 'pino';
import { ACCESS, type Authenticator } from '../auth.js';
import { actorOf, audited, noteOf } from '../audited.js';
import type { Db } from '../../store/db.js';
import { AppError } from '../../errors.js';
import { firstTextFault } from '../../catalog/storable.js';
import { pathParam } from '../params.js';
import type { Registry } from '../../registry/registry.js';
import { agreementListView, agreementView, type ExchangeLink } from '../../registry/view.js';

export interface RegistryRouteDeps {
  auth: Authenticator;
  db: Db;
  logger: Logger;
  registry: Registry;
  today: () => string;
  exchangeOf: (agreementId: string) => ExchangeLink | null;
}

const ID = /^CN-[A-Z]{2}$/;
const ECONOMY = /^[A-Z]{2}$/;

export function registryRoutes(router: Router, deps: RegistryRouteDeps): void {
  const { auth, registry, today, exchangeOf } = deps;
  const canRead = auth.requireScopes(...ACCESS.lookup);

  router.get('/v1/agreements', canRead, (_req, res) => {
    res.json(agreementListView(registry.snapshot().agreements, today(), exchangeOf));
  });

  router.get('/v1/agreements/:id', canRead, (req, res) => {
    const id = pathParam(req, 'id').toUpperCase();
    const found = ID.test(id) ? registry.snapshot().byId.get(id) : undefined;
    if (!found) throw new AppError('NOT_FOUND', 'No agreement has this id.');
    res.json(agreementView(found.agreement, today(), exchangeOf(found.agreement.id)));
  });

  router.get('/v1/economies/:code', canRead, (req, res) => {
    const code = pathParam(req, 'code').toUpperCase();
    if (!ECONOMY.test(code)) throw new AppError('BAD_REQUEST', 'An economy code is two letters (ISO 3166-1 alpha-2).');
    const found = registry.snapshot().byEconomy.get(code);
    // Alias prefixes (EL) are declared-code spellings, not economies.
    if (!found || !found.agreement.economies.includes(code)) {
      throw new AppError('NO_AGREEMENT', `No agreement covers the economy ${code}.`);
    }
    res.json({ code, agreement: agreementView(found.agreement, today(), exchangeOf(found.agreement.id)) });
  });

  router.get('/admin/agreements/:id/revisions', auth.requireScopes(...ACCESS.read), async (req, res) => {
    const id = pathParam(req, 'id').toUpperCase();
    if (!ID.test(id)) throw new AppError('NOT_FOUND', 'No agreement has this id.');
    res.json({ id, revisions: await registry.history(id) });
  });

  const agreementTarget = (req: express.Request): string => pathParam(req, 'id').toUpperCase();
  router.put(
    '/admin/agreements/:id',
    ...audited(deps, 'registry.edit', agreementTarget, auth.requireScopes(...ACCESS.admin), express.json({ limit: '64kb', strict: true }), async (req, res) => {
      const id = pathParam(req, 'id').toUpperCase();
      if (!ID.test(id)) throw new AppError('BAD_REQUEST', 'An agreement id is CN- followed by the partner code.');
      // What the database could not hold is the body's fault (400), never a failed insert (500).
      const unstorable = firstTextFault(req.body);
      if (unstorable) throw new AppError('INVALID_BODY', `The agreement is invalid: ${unstorable.path || 'the body'} ${unstorable.message}.`);
      // The body is the agreement itself (no `note` field): the note comes from X-AEO-Note.
      const { agreement, created } = await registry.put(id, req.body, actorOf(req), noteOf(req));
      res.status(created ? 201 : 200).json(agreementView(agreement, today(), exchangeOf(agreement.id)));
    }),
  );
}
