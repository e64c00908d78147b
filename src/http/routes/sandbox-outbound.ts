// Sandbox only, no auth: the simulated partners' inboxes for our pushes, and the register's advance.
import express, { type Router } from 'express';
import { dateInZone } from '../../domain/dates.js';
import type { DomesticRegister } from '../../domestic/register.js';
import { AppError } from '../../errors.js';
import { SIGNATURE_HEADER } from '../../exchange/signature-header.js';
import { sandboxAdvance } from '../../sandbox/domestic.js';
import { sandboxReceipt, verifyOurMessage } from '../../sandbox/outbound-partners.js';
import type { SandboxSimulator } from '../../sandbox/simulator.js';
import { pathParam } from '../params.js';

export function sandboxOutboundRoutes(
  router: Router,
  deps: { sim: SandboxSimulator; register: DomesticRegister; anchorsPem: () => string; timeZone: string },
): void {
  router.post('/sandbox/:partner/inbox', express.raw({ type: () => true, limit: 256 * 1024 * 1024 }), (req, res) => {
    const partner = pathParam(req, 'partner').toUpperCase();
    if (partner !== 'EU' && partner !== 'MO') throw new AppError('NOT_FOUND', 'The sandbox receives pushes for EU and MO.');
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const verdict = verifyOurMessage(body, req.headers[SIGNATURE_HEADER] as string | undefined, deps.anchorsPem());
    if (!verdict.ok) throw new AppError('SIGNATURE_INVALID', `The simulated ${partner} refuses the message: ${verdict.message}`);
    if (partner === 'MO') {
      res.status(204).end();
      return;
    }
    const receipt = sandboxReceipt(deps.sim, 'EU', String(req.headers['idempotency-key'] ?? ''), Number(req.headers['x-aeo-sequence']), body);
    res.setHeader('content-type', 'application/json');
    res.setHeader(SIGNATURE_HEADER, receipt.signature.toString('base64'));
    res.send(receipt.body);
  });

  router.post('/sandbox/domestic/advance', async (_req, res) => {
    const today = dateInZone(Date.now(), deps.timeZone);
    const changes = sandboxAdvance((await deps.register.current()).values(), today);
    res.json(await deps.register.import({ kind: 'DELTA', records: changes }, 'sandbox', 'sandbox'));
  });
}
