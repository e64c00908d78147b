// A partner's outbound settings (contract 9.2), as the manifest gives them after defaults, and the
// rules the manifest schema cannot say.
import { validate as isValidCron } from 'node-cron';
import type { Level } from '../domestic/types.js';

/** The record fields of CN AEO list v1, in message order (canonical bytes use this order). */
export const MESSAGE_FIELDS = ['aeoCode', 'nameZh', 'nameEn', 'addressZh', 'addressEn', 'level', 'status', 'statusSince'] as const;
export type MessageField = (typeof MESSAGE_FIELDS)[number];
/** Always sent, whatever the allow-list says. */
export const ALWAYS_SENT: readonly MessageField[] = ['aeoCode', 'status'];

export interface OutboundSettings {
  enabled: boolean;
  format: 'json' | 'xml';
  schedule: string;
  acceptedLevels: Level[];
  fields: string[];
  requireEnglishName: boolean;
  fullEvery: string;
  delivery: {
    mode: 'push' | 'pull' | 'both';
    url?: string;
    receipt: 'required' | 'none';
    receiptTimeoutMinutes: number;
    /** A push attempt without an answer after this long is abandoned and retried. */
    timeoutSeconds: number;
    sandboxPath?: string;
  };
  maxRemovalRatio: number;
  retentionDays: number;
}

/** `P7D` / `PT12H` → milliseconds. */
export function durationMs(iso: string): number {
  const m = /^P(?:(\d+)D|T(\d+)H)$/.exec(iso);
  if (!m) throw new Error(`not a duration: ${iso}`);
  return m[1] !== undefined ? Number(m[1]) * 86_400_000 : Number(m[2]) * 3_600_000;
}

export const pushes = (s: OutboundSettings): boolean => s.delivery.mode !== 'pull';

/** Problems of an `outbound` block, as `<pointer>: <what>`. */
export function outboundProblems(s: OutboundSettings): string[] {
  const problems: string[] = [];
  s.fields.forEach((f, i) => {
    if (!(MESSAGE_FIELDS as readonly string[]).includes(f)) problems.push(`/outbound/fields/${i}: ${f} is not a field of CN AEO list v1 (${MESSAGE_FIELDS.join(', ')})`);
  });
  if (!isValidCron(s.schedule)) problems.push('/outbound/schedule: is not a valid node-cron expression');
  if (s.delivery.mode !== 'pull' && s.delivery.url === undefined && s.delivery.sandboxPath === undefined) {
    problems.push('/outbound/delivery/url: is required when mode is push or both');
  }
  if (s.requireEnglishName && !s.fields.includes('nameEn')) problems.push('/outbound/requireEnglishName: needs nameEn in fields');
  return problems;
}
