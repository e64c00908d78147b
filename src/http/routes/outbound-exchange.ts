// The partner-facing outbound routes (contract 9.4, 9.5): our trust anchors (public), pull of the
// signed messages and receipts (scope partner-<CODE> of that partner only).
import express, { type Request, type Router } from 'express';
import { AppError } from '../../errors.js';
import { decodeSignatureHeader, SIGNATURE_HEADER } from '../../exchange/signature-header.js';
import type { OutboundService } from '../../outbound/service.js';
import type { Authenticator } from '../auth.js';
import { pathParam, queryParam } from '../params.js';

const MAX_RECEIPT_BYTES = 256 * 1024;

function partnerOf(req: Request): string {
  const code = pathParam(req, 'partner').toUpperCase();
  if (!/^[A-Z]{2}$/.test(code)) throw new AppError('UNKNOWN_PARTNER');
  return code;
}

function intParam(raw: string | undefined | null, name: string, min: number, max: number, fallback: number): number {
  if (raw === null) throw new AppError('BAD_REQUEST', `${name} may be given once.`);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) throw new AppError('BAD_REQUEST', `${name} is an integer from ${min} to ${max}.`);
  return n;
}

export function outboundExchangeRoutes(router: Router, deps: { auth: Authenticator; outbound: OutboundService; anchorsPem: () => string }): void {
  const { outbound } = deps;
  // Only the token of the partner named in the path (admin passes everywhere).
  const thisPartner = deps.auth.require((scope, req) => scope === `partner-${pathParam(req, 'partner').toUpperCase()}`);

  router.get('/exchange/v1/outbound/trust-anchors', (_req, res) => {
    res.setHeader('content-type', 'application/x-pem-file');
    res.send(deps.anchorsPem());
  });

  router.get('/exchange/v1/outbound/:partner/messages', thisPartner, async (req, res) => {
    const after = intParam(queryParam(req, 'after'), 'after', 0, Number.MAX_SAFE_INTEGER, 0);
    const limit = intParam(queryParam(req, 'limit'), 'limit', 1, 100, 100);
    res.json(await outbound.messages(partnerOf(req), after, limit));
  });

  const sendMessage = async (req: Request, res: express.Response, which: number | 'latest-full'): Promise<void> => {
    const { batch, body, signature } = await outbound.download(partnerOf(req), which, req.principal?.scope ?? 'unknown');
    res.setHeader('content-type', batch.contentType);
    res.setHeader(SIGNATURE_HEADER, signature.toString('base64'));
    res.setHeader('etag', `"${batch.contentSha256}"`);
    res.setHeader('x-aeo-sequence', String(batch.sequence));
    res.send(body);
  };
  router.get('/exchange/v1/outbound/:partner/messages/latest-full', thisPartner, (req, res) => sendMessage(req, res, 'latest-full'));
  router.get('/exchange/v1/outbound/:partner/messages/:sequence', thisPartner, (req, res) =>
    sendMessage(req, res, intParam(pathParam(req, 'sequence'), 'sequence', 1, Number.MAX_SAFE_INTEGER, 0)),
  );

  router.post(
    '/exchange/v1/outbound/:partner/receipts',
    thisPartner,
    (req, _res, next) => {
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      next(type === 'application/json' ? undefined : new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the receipt as application/json.'));
    },
    express.raw({ type: () => true, limit: MAX_RECEIPT_BYTES }),
    async (req, res) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const batch = await outbound.receipts.accept(partnerOf(req), body, decodeSignatureHeader(req.headers[SIGNATURE_HEADER]));
      res.json(await outbound.view(batch.id));
    },
  );
}
