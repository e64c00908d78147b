// Once a day, one warning log line for each certificate within 30 days of expiry (contract 12.4).
// Only public certificate facts are logged: subject, serial, fingerprint, dates.
import type { Logger } from 'pino';
import type { CertificateEntry } from './certificates.js';

export const WARN_WITHIN_DAYS = 30;
const DAY_MS = 86_400_000;

/** The certificates that deserve a warning now. */
export function expiringSoon(entries: readonly CertificateEntry[], now: number, withinDays = WARN_WITHIN_DAYS): CertificateEntry[] {
  return entries.filter((c) => Date.parse(c.notAfter) - now <= withinDays * DAY_MS);
}

export function warnExpiring(logger: Logger, entries: readonly CertificateEntry[], now = Date.now()): void {
  for (const c of expiringSoon(entries, now)) {
    const { partner, role, subject, serial, sha256, notAfter, daysLeft } = c;
    logger.warn({ partner, role, subject, serial, sha256, notAfter, daysLeft }, daysLeft < 0 ? 'certificate expired' : 'certificate expires soon');
  }
}

/** Checks now and then every 24 h; returns the timer (unref'd) for the gateway to clear at close. */
export function scheduleExpiryWarnings(logger: Logger, list: () => Promise<CertificateEntry[]>): NodeJS.Timeout {
  const check = (): void => {
    list().then(
      (entries) => warnExpiring(logger, entries),
      (err: unknown) => logger.error({ err }, 'certificate expiry check failed'),
    );
  };
  check();
  return setInterval(check, DAY_MS).unref();
}
