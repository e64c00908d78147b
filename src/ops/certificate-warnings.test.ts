import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { expiringSoon, warnExpiring } from './certificate-warnings.js';
import type { CertificateEntry } from './certificates.js';

const NOW = Date.parse('2026-11-20T00:00:00Z');
const DAY = 86_400_000;

const cert = (daysFromNow: number, sha256: string): CertificateEntry => ({
  partner: 'EU',
  role: 'trust_anchor',
  subject: 'CN=Test',
  issuer: 'CN=Test',
  serial: '01',
  notBefore: '2020-01-01T00:00:00.000Z',
  notAfter: new Date(NOW + daysFromNow * DAY).toISOString(),
  sha256,
  daysLeft: Math.floor(daysFromNow),
});

describe('certificate expiry warnings', () => {
  it('warns for certificates within 30 days of expiry, expired ones included, and not after', () => {
    const certs = [cert(30, 'a'), cert(30.01, 'b'), cert(1, 'c'), cert(-2, 'd'), cert(400, 'e')];
    expect(expiringSoon(certs, NOW).map((c) => c.sha256)).toEqual(['a', 'c', 'd']);
  });

  it('logs one warning line per certificate, with public facts only', () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
    warnExpiring(logger, [cert(10, 'c'), cert(-1, 'd'), cert(90, 'e')], NOW);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.map((l) => [l.level, l.msg, l.sha256])).toEqual([
      [40, 'certificate expires soon', 'c'],
      [40, 'certificate expired', 'd'],
    ]);
    expect(Object.keys(parsed[0]!).sort()).toEqual(['daysLeft', 'hostname', 'level', 'msg', 'notAfter', 'partner', 'pid', 'role', 'serial', 'sha256', 'subject', 'time']);
  });
});
