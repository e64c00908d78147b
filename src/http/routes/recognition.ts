// Recognition lookups (contract section 4): single and batch. Scopes lookup, viewer, operator (or admin).
import express, { type Request, type Router } from 'express';
import { isIsoDate, parseInstant } from '../../domain/dates.js';
import { AppError } from '../../errors.js';
import { BATCH_CLOSE, BATCH_OPEN, type LookupService, type RecognitionAnswer } from '../../lookup/service.js';
import { ACCESS, type Authenticator } from '../auth.js';
import { pathRest, queryParam } from '../params.js';

export const MAX_BATCH = 1000;

const asBytes = (answer: RecognitionAnswer): { bytes: Buffer; invalid: boolean } => ({
  bytes: Buffer.from(JSON.stringify(answer)),
  invalid: answer.decision === 'INVALID_CODE',
});

const BATCH_COMMA = Buffer.from(',');

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

  router.post('/v1/recognition/batch', canLookup, express.json({ limit: '256kb', strict: true }), (req, res) => {
    const body = batchBody(req);
    const when = readWhen(service, body.date, body.asKnownAt);
    if (body.asKnownAt === undefined) {
      res.type('json').send(service.recogniseJsonBatch(body.codes, when.date, when.now));
      return;
    }
    // Encoded answers joined as they are: the same JSON as res.json({ results }) would write,
    // without joining strings and encoding them again.
    const parts: Buffer[] = [BATCH_OPEN];
    body.codes.forEach((code, i) => {
      if (i > 0) parts.push(BATCH_COMMA);
      parts.push(asBytes(service.answer(code, when.date, when.asKnownAt, when.now)).bytes);
    });
    parts.push(BATCH_CLOSE);
    res.type('json').send(Buffer.concat(parts));
  });
}
