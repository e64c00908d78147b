// AEO_DOMESTIC_URL / AEO_DOMESTIC_SCHEDULE / AEO_DOMESTIC_MAX_BYTES → the register pull's settings
// (null when no URL is set: admin and CLI imports only). Problems are added to the config's list.
import { validate as isValidCron } from 'node-cron';

export interface DomesticPullConfig {
  url: string;
  /** node-cron, in AEO_TIMEZONE. */
  schedule: string;
  maxBytes: number;
}

/** The same ceiling as POST /admin/domestic/imports. */
export const DEFAULT_DOMESTIC_MAX_BYTES = 256 * 1024 * 1024;

type Env = Readonly<Record<string, string | undefined>>;

export function parseDomesticPull(env: Env, problems: string[]): DomesticPullConfig | null {
  const url = env.AEO_DOMESTIC_URL ?? '';
  const schedule = env.AEO_DOMESTIC_SCHEDULE ?? '';
  const maxRaw = env.AEO_DOMESTIC_MAX_BYTES ?? '';
  if (url === '') {
    if (schedule !== '') problems.push('AEO_DOMESTIC_SCHEDULE is set without AEO_DOMESTIC_URL; set both or neither');
    return null;
  }
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    // reported below
  }
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) problems.push('AEO_DOMESTIC_URL must be an http:// or https:// URL');
  if (schedule === '') problems.push('AEO_DOMESTIC_URL needs AEO_DOMESTIC_SCHEDULE (a node-cron expression such as "0 1 * * *")');
  else if (!isValidCron(schedule)) problems.push(`AEO_DOMESTIC_SCHEDULE is not a valid node-cron expression (got "${schedule.slice(0, 60)}")`);
  const maxBytes = maxRaw === '' ? DEFAULT_DOMESTIC_MAX_BYTES : Number(maxRaw);
  if (!/^\d{1,12}$/.test(maxRaw === '' ? '1' : maxRaw) || maxBytes < 1) problems.push(`AEO_DOMESTIC_MAX_BYTES must be a whole number of bytes ≥ 1 (got "${maxRaw.slice(0, 20)}")`);
  return { url, schedule, maxBytes };
}
