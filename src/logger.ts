// JSON-lines logs on stdout. Secrets and payloads are never passed to the logger; redaction is a safety net.
// Every line written while serving a request carries its `requestId`.
import { pino, type DestinationStream, type Logger } from 'pino';
import { currentRequestId } from './request-context.js';

/** Adds the current request's id to a log line (the line's own `requestId` wins). */
export function requestIdMixin(): Record<string, string> {
  const requestId = currentRequestId();
  return requestId === null ? {} : { requestId };
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'aeo-gateway' },
    mixin: requestIdMixin,
    redact: { paths: ['token', '*.token', 'authorization', '*.authorization', 'apiKeys'], censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
