// One catalogue of coded errors. A code means the same thing in logs, exchange runs and HTTP answers.
// `status` is the HTTP status an error maps to when it reaches a client directly.

export const ERROR_CATALOGUE = {
  // request and auth
  BAD_REQUEST: { status: 400, message: 'The request is not valid.' },
  INVALID_CODE: { status: 400, message: 'The code is not a valid declared code.' },
  INVALID_DATE: { status: 400, message: 'The date is not a valid calendar date (YYYY-MM-DD).' },
  INVALID_BODY: { status: 400, message: 'The request body does not have the expected shape.' },
  MALFORMED_JSON: { status: 400, message: 'The request body is not valid JSON.' },
  BUNDLE_INVALID: { status: 400, message: 'The partner version is invalid; nothing was stored.' },
  UNAUTHENTICATED: { status: 401, message: 'A valid bearer token is required.' },
  FORBIDDEN: { status: 403, message: 'The token does not allow this operation.' },
  NOT_FOUND: { status: 404, message: 'No such resource.' },
  NO_AGREEMENT: { status: 404, message: 'No agreement covers this economy.' },
  UNKNOWN_PARTNER: { status: 404, message: 'No exchange partner has this code.' },
  CONFLICT: { status: 409, message: 'The resource is not in a state that allows this operation.' },
  REQUEST_TIMEOUT: { status: 408, message: 'The request was not received in time.' },
  DRY_RUN_REQUIRED: { status: 409, message: 'The partner version needs a dry run that does not end WOULD_REJECT first.' },
  GONE: { status: 410, message: 'The resource is past its retention.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is larger than allowed.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The content type is not supported here.' },
  RATE_LIMITED: { status: 429, message: 'Too many requests.' },
  HEADERS_TOO_LARGE: { status: 431, message: 'The request headers are larger than 64 KiB.' },
  INTERNAL: { status: 500, message: 'An internal error occurred.' },
  NOT_READY: { status: 503, message: 'The service is not ready.' },
  DATABASE_UNAVAILABLE: { status: 503, message: 'The database is unavailable; try again later.' },

  // exchange run reasons (contract section 5); status applies when surfaced over HTTP
  SIGNATURE_INVALID: { status: 422, message: 'The signature does not verify over the message.' },
  SIGNER_UNTRUSTED: { status: 422, message: 'The signer certificate does not chain to a trust anchor of this partner.' },
  SIGNER_EXPIRED: { status: 422, message: 'The signer certificate is not valid at signing time or now.' },
  SIGNER_REVOKED: { status: 422, message: 'The signer certificate is revoked.' },
  SIGNER_REVOCATION_UNKNOWN: { status: 422, message: 'No current CRL says whether the signer certificate is revoked.' },
  SENDER_MISMATCH: { status: 422, message: 'The message sender is not the partner it came from.' },
  PAYLOAD_MALFORMED: { status: 422, message: 'The message cannot be parsed.' },
  SCHEMA_INVALID: { status: 422, message: 'The message does not match the partner schema.' },
  SEQUENCE_REPLAYED: { status: 422, message: 'The message sequence is lower than the last applied one.' },
  SEQUENCE_CONFLICT: { status: 422, message: 'The message reuses the last applied sequence with different content.' },
  EMPTY_LIST: { status: 422, message: 'A FULL list without operators is held for review.' },
  MASS_REMOVAL: { status: 422, message: 'The list would remove more operators than allowed and is held for review.' },
  TOO_LARGE: { status: 413, message: 'The message is larger than the partner limit.' },
  FETCH_FAILED: { status: 502, message: 'The partner list could not be fetched.' },
  TIMEOUT: { status: 504, message: 'The partner did not answer in time.' },
  INTERRUPTED: { status: 503, message: 'The run was interrupted before it finished.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** An error with a catalogue code; `message` must be safe to show to a client (no internals, no payload). */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;

  constructor(code: ErrorCode, message?: string, details?: unknown) {
    super(message ?? ERROR_CATALOGUE[code].message);
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.details = details;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** The error body of contract section 8. */
export function errorBody(code: ErrorCode, message: string): { error: { code: ErrorCode; message: string } } {
  return { error: { code, message } };
}
