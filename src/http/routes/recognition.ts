// Recognition lookups (contract section 4): single and batch. Scopes lookup, viewer, operator (or admin).
import express, { type Request, type Response, type Router } from 'express';
import { isIsoDate, parseInstant } from '../../domain/dates.js';
import { AppError } from '../../errors.js';
import { ReusedBuffers } from '../../lookup/reused-buffers.js';
import type { LookupService, RecognitionAnswer } from '../../lookup/service.js';
import { ACCESS, type Authenticator } from '../auth.js';
import { pathRest, queryParam } from '../params.js';

export const MAX_BATCH = 1000;

const asBytes = (answer: RecognitionAnswer): { bytes: Buffer; invalid: boolean } => ({
  bytes: Buffer.from(JSON.stringify(answer)),
  invalid: answer.decision === 'INVALID_CODE',
});

interface When {
  date: string;
  asKnownAt: number;
  now: number;
}

function readWhen(service: LookupService, date: unknown, asKnownAt: unknown): When {
  const now = Date.now();
  if (date !== undefined && (typeof date !== 'string' || !isIsoDate(date))) {
    throw new AppError('INVALID_DATE', 'date must be a calendar date YYYY-MM-DD.');
  }
  let known = now;
  if (asKnownAt !== undefined) {
    const parsed = typeof asKnownAt === 'string' ? parseInstant(asKnownAt) : null;
    if (parsed === null) throw new AppError('BAD_REQUEST', 'asKnownAt must be an RFC 3339 timestamp with a time zone.');
    known = parsed;
  }
  return { date: date ?? service.today(now), asKnownAt: known, now };
}

function batchBody(req: Request): { codes: string[]; date?: unknown; asKnownAt?: unknown } {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AppError('INVALID_BODY', 'The body must be a JSON object with a codes array.');
  }
  const { codes, date, asKnownAt, ...rest } = body as Record<string, unknown>;
  if (Object.keys(rest).length > 0) throw new AppError('INVALID_BODY', `Unknown field ${Object.keys(rest)[0]!.slice(0, 40)}.`);
  if (!Array.isArray(codes) || codes.length === 0 || codes.length > MAX_BATCH) {
    throw new AppError('INVALID_BODY', `codes must be an array of 1 to ${MAX_BATCH} strings.`);
  }
  // A code that is not even a string is a malformed code: an INVALID_CODE item, like any other.
  return { codes: codes.map((c) => (typeof c === 'string' ? c : '')), date, asKnownAt };
}

export function recognitionRoutes(router: Router, auth: Authenticator, service: LookupService): void {
  const canLookup = auth.requireScopes(...ACCESS.lookup);

  // `*code`, not `:code`: an EU authorisation number has a `/` (DEAEOF00025/08), raw or as %2F.
  router.get('/v1/recognition/*code', canLookup, (req, res) => {
    const date = queryParam(req, 'date');
    const asKnownAt = queryParam(req, 'asKnownAt');
    if (date === null || asKnownAt === null) throw new AppError('BAD_REQUEST', 'date and asKnownAt may be given once each.');
    const when = readWhen(service, date, asKnownAt);
    const code = pathRest(req, 'code');
    const answer = asKnownAt === undefined ? service.recogniseJson(code, when.date, when.now) : asBytes(service.answer(code, when.date, when.asKnownAt, when.now));
    if (answer.invalid) {
      throw new AppError('INVALID_CODE', 'The code is not a declared code of any agreement (two letters, then the partner number).');
    }
    res.type('json').send(answer.bytes);
  });

  const answerBuffers = new ReusedBuffers();
  router.post('/v1/recognition/batch', canLookup, express.json({ limit: '256kb', strict: true }), (req, res) => {
    const body = batchBody(req);
    const when = readWhen(service, body.date, body.asKnownAt);
    if (body.asKnownAt === undefined) {
      let taken: Buffer | undefined;
      const bytes = service.recogniseJsonBatch(body.codes, when.date, when.now, (n) => (taken = answerBuffers.take(n)));
      // Back to the pool only once the socket wrote it all; a response cut short leaves it to the GC.
      res.once('finish', () => answerBuffers.give(taken!));
      sendJson(res, bytes);
      return;
    }
    // One JSON.stringify of the whole answer (cheaper than one per answer and joining them, and than
    // building each answer's JSON from parts: measured).
    const results = body.codes.map((code) => service.answer(code, when.date, when.asKnownAt, when.now));
    sendJson(res, Buffer.from(JSON.stringify({ results })));
  });
}

/**
 * What `res.type('json').send(bytes)` writes for a POST (the app sends no ETag), without express's
 * send: the same two headers, then the bytes in one write.
 */
function sendJson(res: Response, bytes: Buffer): void {
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', bytes.length);
  res.end(bytes);
}
