// The one error mapper: every error becomes the contract's error body; 5xx never show internals.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AppError, errorBody, isAppError } from '../errors.js';

interface HttpLikeError {
  type?: string;
  status?: number;
  expose?: boolean;
}

/** Client errors raised by express itself (body parsers, URL decoding), turned into catalogue errors. */
export function fromExpress(err: unknown): AppError | null {
  if (typeof err !== 'object' || err === null) return null;
  const { type, status, expose } = err as HttpLikeError;
  switch (type) {
    case 'entity.too.large':
      return new AppError('PAYLOAD_TOO_LARGE');
    case 'entity.parse.failed':
      return new AppError('MALFORMED_JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'The body encoding or charset is not supported.');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new AppError('BAD_REQUEST', 'The request body was incomplete or inconsistent.');
    default:
      break;
  }
  // Other http-errors raised for a client's mistake (e.g. a path that does not URL-decode).
  if ((expose === true || err instanceof URIError) && typeof status === 'number' && status >= 400 && status < 500) {
    if (status === 413) return new AppError('PAYLOAD_TOO_LARGE');
    if (status === 415) return new AppError('UNSUPPORTED_MEDIA_TYPE');
    return new AppError('BAD_REQUEST', 'The request could not be read.');
  }
  return null;
}

/** What a 503 (database outage, not ready yet) asks a client to wait before trying again. */
export const RETRY_AFTER_SECONDS = 10;

/** A refused partner version lists every problem (contract 11); other errors carry only code and message. */
function withProblems(body: ReturnType<typeof errorBody>, err: AppError): object {
  const problems = (err.details as { problems?: unknown } | undefined)?.problems;
  return err.code === 'BUNDLE_INVALID' && Array.isArray(problems) ? { error: { ...body.error, problems } } : body;
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const appError = isAppError(err) ? err : fromExpress(err);
    if (appError) {
      if (res.headersSent) return;
      if (appError.status === 503) res.set('Retry-After', String(RETRY_AFTER_SECONDS));
      res.status(appError.status).json(errorBody(appError.code, appError.message));

      if (!res.headersSent) res.status(appError.status).json(withProblems(errorBody(appError.code, appError.message), appError));
      return;
    }
    // Unexpected: log the error (never the request body), answer a generic 500.
    logger.error({ err, method: req.method, path: req.path }, 'unhandled error');
    if (!res.headersSent) res.status(500).json(errorBody('INTERNAL', 'An internal error occurred.'));
  };
}

export const notFoundHandler: RequestHandler = (_req, _res, next) => {
  next(new AppError('NOT_FOUND', 'No such route.'));
};
