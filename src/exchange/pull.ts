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
  /** The Accept header (the domestic register source sends CSV or JSON). */
  accept?: string;
  /** Who is pulled from, for the error messages. */
  source?: string;
}

/** The list as received, with its media type (lower case, no parameters), or null without one. */
export type PulledMessage = InboundMessage & { contentType: string | null };

/** The wait before retry `attempt` (1, 2, …): base × 2^(attempt-1), capped at 30 s. */
export function backoffDelay(attempt: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** (attempt - 1), 30_000);
}

export async function pullList(url: string, opts: PullOptions): Promise<PulledMessage> {
  const { maxBytes, timeoutMs = 60_000, retries = 3, backoffMs = 1_000, accept = 'application/xml, application/json', source = 'The partner' } = opts;
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
    headers: { accept },
  });
  // Stop downloading as soon as the body is over the partner's limit.
  void request.on('downloadProgress', (progress: { transferred: number }) => {
    if (progress.transferred > maxBytes) void request.cancel('too large');
  });
  try {
    const res = await request;
    // With redirects off, got resolves 3xx (and any 2xx) too: only a 200 carries a list.
    if (res.statusCode !== 200) {
      throw new AppError('FETCH_FAILED', `${source} answered HTTP ${res.statusCode} instead of the list.`);
    }
    const declared = Number(res.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared !== res.rawBody.length) {
      throw new AppError('FETCH_FAILED', `${source} answered with a truncated body.`);
    }
    const contentType = res.headers['content-type']?.split(';')[0]!.trim().toLowerCase() ?? null;
    return { body: res.rawBody, signature: decodeSignatureHeader(res.headers[SIGNATURE_HEADER]), contentType };
  } catch (err) {
    throw toPullError(err, request.isCanceled, maxBytes, source);
  }
}

function toPullError(err: unknown, canceled: boolean, maxBytes: number, source: string): AppError {
  if (err instanceof AppError) return err;
  if (canceled) return new AppError('TOO_LARGE', `${source}'s list is larger than the limit of ${maxBytes} bytes.`);
  if (err instanceof TimeoutError) return new AppError('TIMEOUT', `${source} did not answer in time, after retries.`);
  if (err instanceof HTTPError) {
    return new AppError('FETCH_FAILED', `${source} answered HTTP ${err.response.statusCode}${err.response.statusCode >= 500 ? ', after retries' : ''}.`);
  }
  if (err instanceof RequestError) {
    return new AppError('FETCH_FAILED', `${source} could not be reached (${err.code}).`);
  }
  return new AppError('FETCH_FAILED', `${source}'s list could not be fetched.`);
}
