// JSON-lines logs on stdout. Secrets and payloads are never passed to the logger; redaction is a safety net.
import { pino, type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'aeo-gateway' },
    redact: { paths: ['token', '*.token', 'authorization', '*.authorization', 'apiKeys'], censor: '[redacted]' },
  });
}
