// Simulated partners' endpoints (sandbox mode only, no auth): the list as a real partner serves it.
import type { Router } from 'express';
import { AppError } from '../../errors.js';
import { SIGNATURE_HEADER } from '../../exchange/signature-header.js';
import { isSandboxPartner, type SandboxSimulator } from '../../sandbox/simulator.js';
import { pathParam } from '../params.js';

function sandboxPartner(code: string): 'EU' | 'HK' | 'MO' {
  const upper = code.toUpperCase();
  if (!isSandboxPartner(upper)) throw new AppError('NOT_FOUND', 'The sandbox simulates EU, HK and MO only.');
  return upper;
}

export function sandboxRoutes(router: Router, simulator: SandboxSimulator): void {
  router.get('/sandbox/:partner/aeo-list', (req, res) => {
    const list = simulator.list(sandboxPartner(pathParam(req, 'partner')));
    res.setHeader('content-type', list.contentType);
    res.setHeader(SIGNATURE_HEADER, list.signature.toString('base64'));
    res.send(list.body);
  });

  router.post('/sandbox/:partner/advance', (req, res) => {
    res.json(simulator.advance(sandboxPartner(pathParam(req, 'partner'))));
  });
}
