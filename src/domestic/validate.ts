// One raw register record (a CSV row or a JSON object) → an Enterprise, or the problems found (pure).
import { isIsoDate } from '../domain/dates.js';
import { DOMESTIC_STATUSES, LEVELS, aeoCodeOf, type Enterprise, type RecordProblem } from './types.js';
import { usccProblem } from './uscc.js';

const CUSTOMS_CODE = /^[0-9A-Z]{10}$/;
const CUSTOMS_OFFICE = /^[0-9]{4}$/;
const MAX_TEXT = 500;
const INPUT_FIELDS = new Set([
  'customsCode', 'uscc', 'aeoCode', 'nameZh', 'nameEn', 'addressZh', 'addressEn', 'level', 'status',
  'statusSince', 'levelSince', 'rectificationUntil', 'registeringCustoms',
]);

type Raw = Record<string, unknown>;

export function parseEnterprise(raw: unknown, index: number): { enterprise: Enterprise } | { problems: RecordProblem[] } {
  const problems: RecordProblem[] = [];
  const bad = (path: string, message: string): void => void problems.push({ record: index, path: `/${path}`, message });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { problems: [{ record: index, path: '', message: 'must be an object' }] };
  }
  const r = raw as Raw;
  for (const key of Object.keys(r)) if (!INPUT_FIELDS.has(key)) bad(key, 'is not a field of the register');

  const text = (name: string, required: boolean): string => {
    const v = r[name];
    if (v === undefined || v === null || v === '') {
      if (required) bad(name, 'is required');
      return '';
    }
    if (typeof v !== 'string') {
      bad(name, 'must be a string');
      return '';
    }
    if (v.length > MAX_TEXT) bad(name, `must be at most ${MAX_TEXT} characters`);
    return v.trim();
  };
  const date = (name: string, required: boolean): string | null => {
    const v = text(name, required);
    if (v === '') return null;
    if (!isIsoDate(v)) bad(name, 'must be a date YYYY-MM-DD');
    return v;
  };

  const customsCode = text('customsCode', true);
  if (customsCode !== '' && !CUSTOMS_CODE.test(customsCode)) bad('customsCode', 'must be 10 digits or upper-case letters');
  const uscc = text('uscc', true);
  const usccWrong = uscc === '' ? null : usccProblem(uscc);
  if (usccWrong) bad('uscc', usccWrong);
  const aeoCode = text('aeoCode', false);
  if (aeoCode !== '' && aeoCode !== aeoCodeOf(customsCode)) bad('aeoCode', 'is derived from customsCode (AEOCN + customsCode); leave it out');
  const level = text('level', true);
  if (level !== '' && !(LEVELS as readonly string[]).includes(level)) bad('level', `must be one of ${LEVELS.join(', ')}`);
  const status = text('status', true);
  if (status !== '' && !(DOMESTIC_STATUSES as readonly string[]).includes(status)) bad('status', `must be one of ${DOMESTIC_STATUSES.join(', ')}`);
  const statusSince = date('statusSince', true);
  const levelSince = date('levelSince', false) ?? statusSince;
  const rectificationUntil = date('rectificationUntil', status === 'RECTIFICATION');
  if (rectificationUntil !== null && status !== 'RECTIFICATION') bad('rectificationUntil', 'is only allowed with status RECTIFICATION');
  const registeringCustoms = text('registeringCustoms', false);
  if (registeringCustoms !== '' && !CUSTOMS_OFFICE.test(registeringCustoms)) bad('registeringCustoms', 'must be a 4-digit customs office code');
  const nameZh = text('nameZh', true);
  const nameEn = text('nameEn', false);
  const addressZh = text('addressZh', false);
  const addressEn = text('addressEn', false);

  if (problems.length > 0) return { problems };
  return {
    enterprise: {
      customsCode,
      uscc,
      aeoCode: aeoCodeOf(customsCode),
      nameZh,
      nameEn,
      addressZh,
      addressEn,
      level: level as Enterprise['level'],
      status: status as Enterprise['status'],
      statusSince: statusSince!,
      levelSince: levelSince!,
      rectificationUntil,
      registeringCustoms: registeringCustoms === '' ? null : registeringCustoms,
    },
  };
}

/** Every record checked; duplicates of a customs code are a problem too. Stops collecting at 100 problems. */
export function parseEnterprises(raws: readonly unknown[]): { enterprises: Enterprise[]; problems: RecordProblem[]; invalid: number } {
  const enterprises: Enterprise[] = [];
  const problems: RecordProblem[] = [];
  const seen = new Map<string, number>();
  let invalid = 0;
  raws.forEach((raw, i) => {
    const result = parseEnterprise(raw, i);
    if ('problems' in result) {
      invalid++;
      if (problems.length < 100) problems.push(...result.problems.slice(0, 100 - problems.length));
      return;
    }
    const first = seen.get(result.enterprise.customsCode);
    if (first !== undefined) {
      invalid++;
      if (problems.length < 100) problems.push({ record: i, path: '/customsCode', message: `repeats record ${first}` });
      return;
    }
    seen.set(result.enterprise.customsCode, i);
    enterprises.push(result.enterprise);
  });
  return { enterprises, problems, invalid };
}
