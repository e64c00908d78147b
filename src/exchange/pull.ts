// Getting a list from a partner over HTTP: bounded retries with exponential backoff on network
// errors, timeouts and 5xx; a size cap while downloading. Returns the message or a coded error.
import got, { HTTPError, RequestError, TimeoutError } from 'got';
import { AppError } from '../errors.js';
import type { InboundMessage } from './pipeline.js';
import { decodeSignatureHeader, SIGNATURE_HEADER } from './signature-header.js';

export interface PullOptions {
  maxBytes: number;
  timeoutMs?: number;
  retries?: number;
  /** Base delay of the backoff; attempt n waits base × 2^(n-1), capped at 30 s. */
  backoffMs?: number;
}

/** The wait before retry `attempt` (1, 2, …): base × 2^(attempt-1), capped at 30 s. */
export function backoffDelay(attempt: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** (attempt - 1), 30_000);
}

export async function pullList(url: string, opts: PullOptions): Promise<InboundMessage> {
  const { maxBytes, timeoutMs = 60_000, retries = 3, backoffMs = 1_000 } = opts;
  const request = got(url, {
    method: 'GET',
    responseType: 'buffer',
    followRedirect: false,
    decompress: true,
    timeout: { request: timeoutMs },
    retry: {
      limit: retries,
      methods: ['GET'],
      statusCodes: [500, 502, 503, 504],
      errorCodes: ['ETIMEDOUT', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ENOTFOUND', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED'],
      calculateDelay: ({ attemptCount, computedValue }) => (computedValue === 0 ? 0 : backoffDelay(attemptCount, backoffMs)),
    },
    headers: { accept: 'application/xml, application/json' },
  });
  // Stop downloading as soon as the body is over the partner's limit.
  void request.on('downloadProgress', (progress: { transferred: number }) => {
    if (progress.transferred > maxBytes) void request.cancel('too large');
  });
  try {
    const res = await request;
    // With redirects off, got resolves 3xx (and any 2xx) too: only a 200 carries a list.
    if (res.statusCode !== 200) {
      throw new AppError('FETCH_FAILED', `The partner answered HTTP ${res.statusCode} instead of the list.`);
    }
    const declared = Number(res.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared !== res.rawBody.length) {
      throw new AppError('FETCH_FAILED', 'The partner answered with a truncated body.');
    }
    return { body: res.rawBody, signature: decodeSignatureHeader(res.headers[SIGNATURE_HEADER]) };
  } catch (err) {
    throw toPullError(err, request.isCanceled, maxBytes);
  }
}

function toPullError(err: unknown, canceled: boolean, maxBytes: number): AppError {
  if (err instanceof AppError) return err;
  if (canceled) return new AppError('TOO_LARGE', `The partner's list is larger than the limit of ${maxBytes} bytes.`);
  if (err instanceof TimeoutError) return new AppError('TIMEOUT', 'The partner did not answer in time, after retries.');
  if (err instanceof HTTPError) {
    return new AppError('FETCH_FAILED', `The partner answered HTTP ${err.response.statusCode}${err.response.statusCode >= 500 ? ', after retries' : ''}.`);
  }
  if (err instanceof RequestError) {
    return new AppError('FETCH_FAILED', `The partner could not be reached (${err.code}).`);
  }
  return new AppError('FETCH_FAILED', 'The partner list could not be fetched.');
}
